"""The HPO-scale benchmarks of `make bench`, gathered under the `hpo` key of bench/results/latest.json.

- the release: `clinkg import hpo` into build/hpo when it is missing (timed: `import_s`), else reused;
- `differential_p50_ms` / `_p95_ms`: the in-process differential, scope "hpo", the observed and excluded
  terms of realistic simulated patients (bench/hpo_quality.py makes them), every disease scored and the
  best 20 explained, on a heap frozen after loading as the service freezes it;
- `rss_mb`: the resident memory of a real service process serving that release after it answered;
- load times and the SPARQL library on Oxigraph against rdflib: bench/hpo_scale.py;
- recall of clinkg, hpo3 and pyhpo on the same simulated patients: bench/hpo_quality.py.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

import hpo_quality
import hpo_scale
import httpx
import psutil
import seed_bench

from clinkg.service.api.connection import freeze_heap, fresh_answer_bytes, serve
from clinkg.service.api.models import DifferentialRequest
from clinkg.service.stores.oxigraph import OxigraphBackend

ROOT = Path(__file__).resolve().parent.parent
HPO_BUILD = ROOT / "build" / "hpo"
LATENCY_PATIENTS = 300


def release() -> tuple[Path, float | None]:
    """The HPO release folder, imported first when there is none (then with the seconds it took)."""
    current = HPO_BUILD / "current"
    if (current / "store").is_dir() and (current / "hpo_index.json").is_file():
        return current, None
    from typer.testing import CliRunner

    from clinkg.cli import app

    print("importing HPO into build/hpo (clinkg import hpo) ...", flush=True)
    started = time.perf_counter()
    result = CliRunner().invoke(app, ["import", "hpo", "--out", str(HPO_BUILD)])
    if result.exit_code != 0:
        raise RuntimeError(f"clinkg import hpo failed:\n{result.output}")
    return current, time.perf_counter() - started


def in_process(current: Path, patients: list[hpo_quality.Patient]) -> dict[str, float]:
    """Latency of the whole differential (rank, explain, build the answer) for the simulated patients'
    requests (observed and excluded terms)."""
    backend = OxigraphBackend.open(current / "store")
    started = time.perf_counter()
    served = serve(backend)
    load_s = time.perf_counter() - started
    freeze_heap()
    requests = [
        DifferentialRequest(present=list(p.terms), absent=list(p.excluded), scope="hpo") for p in patients
    ]
    for request in requests[:20]:  # warm the memoised ancestor sets as a running service would have
        fresh_answer_bytes(request, served)
    times = []
    for request in requests:
        tick = time.perf_counter()
        fresh_answer_bytes(request, served)
        times.append((time.perf_counter() - tick) * 1000)
    times.sort()
    return {
        "differential_p50_ms": round(statistics.median(times), 3),
        "differential_p95_ms": round(times[int(len(times) * 0.95) - 1], 3),
        "index_load_s": round(load_s, 2),
    }


def service_rss(current: Path, patients: list[hpo_quality.Patient]) -> dict[str, float]:
    """Resident memory of `clinkg` serving the release, after start-up and 100 differentials."""
    env = {**os.environ, "CLINKG_BUILD_DIR": str(current.parent), "PYTHONPATH": str(Path(__file__).parent)}
    server, url, startup = seed_bench._serve("clinkg.service.asgi:app", env)
    try:
        for patient in patients[:100]:
            body = {"present": list(patient.terms), "absent": list(patient.excluded), "scope": "hpo"}
            response = httpx.post(f"{url}/v1/differential", json=body, timeout=30)
            if response.status_code != 200:
                raise RuntimeError(f"differential failed: {response.text}")
        rss = psutil.Process(server.pid).memory_info().rss / 2**20
    finally:
        seed_bench._stop(server)
    return {"rss_mb": round(rss, 1), "service_startup_s": round(startup, 2)}


def run() -> dict[str, Any]:
    """Every HPO figure, measured in this one run."""
    current, import_s = release()
    figures: dict[str, Any] = {}
    if import_s is not None:
        figures["import_s"] = round(import_s, 1)
    patients = hpo_quality.make_patients(seed=42, count=LATENCY_PATIENTS)
    print("HPO differential in process (scope hpo, simulated patients) and the service's memory", flush=True)
    figures |= in_process(current, patients)
    figures |= service_rss(current, patients)
    scale = hpo_scale.run(current)
    quality = hpo_quality.run(store=current / "store")
    print(hpo_quality.table(quality), flush=True)
    figures |= {
        "triples": scale["triples"],
        "oxigraph_load_s": scale["oxigraph_load_s"],
        "rdflib_load_s": scale["rdflib_load_s"],
        "oxigraph_optimize_s": scale["oxigraph_optimize_s"],
        "load_speedup": scale.get("load_speedup"),
        "load_speedup_with_optimize": scale.get("load_speedup_with_optimize"),
        "sparql_speedup_vs_rdflib_median": scale["sparql_speedup_vs_rdflib_median"],
        "sparql_speedup_vs_rdflib_median_substitutions": scale[
            "sparql_speedup_vs_rdflib_median_substitutions"
        ],
        "hpo3_rank_ms": quality["hpo3_rank_ms"],
        "top1_recall": quality["top1_recall"],
        "top10_recall": quality["top10_recall"],
        "observed_only_top1_recall": quality["observed_only_top1_recall"],
        "observed_only_top10_recall": quality["observed_only_top10_recall"],
        "hpo3_top1_recall": quality["hpo3_top1_recall"],
        "hpo3_top10_recall": quality["hpo3_top10_recall"],
        "hpo3_enrichment_top1_recall": quality["hpo3_enrichment_top1_recall"],
        "hpo3_enrichment_top10_recall": quality["hpo3_enrichment_top10_recall"],
        "clinkg_on_hpo3_top1_recall": quality["clinkg_on_hpo3_top1_recall"],
        "clinkg_on_hpo3_top10_recall": quality["clinkg_on_hpo3_top10_recall"],
        "observed_only_on_hpo3_top10_recall": quality["observed_only_on_hpo3_top10_recall"],
    }
    figures["differential_vs_hpo3"] = round(figures["hpo3_rank_ms"] / figures["differential_p50_ms"], 1)
    figures["scale"] = scale
    figures["quality"] = quality
    return figures
