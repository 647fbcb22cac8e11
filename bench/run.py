"""`make bench`: run every benchmark, print one table, write bench/results/latest.json.

`--quick` (or CLINKG_BENCH_QUICK=1, e.g. `make bench CLINKG_BENCH_QUICK=1`) runs the load benchmark for
10 s instead of 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import attack_bench  # noqa: E402 - after the path is set
import hpo_bench  # noqa: E402 - after the path is set
import language_bench  # noqa: E402 - after the path is set
import load_bench  # noqa: E402 - after the path is set
import seed_bench  # noqa: E402 - after the path is set
import stories  # noqa: E402 - after the path is set

QUICK_LOAD_SECONDS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description="clinkg benchmarks")
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("CLINKG_BENCH_QUICK", "") not in ("", "0"),
        help=f"a {QUICK_LOAD_SECONDS} s load run instead of 60 s (also CLINKG_BENCH_QUICK=1)",
    )
    parser.add_argument("--no-hpo", action="store_true", help="skip the HPO-scale benchmarks")
    args = parser.parse_args()
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()}}
    print("seed graph: in-process differential, HTTP differential vs hello-world (wrk), start-up")
    results["seed"] = seed_bench.run()
    width = max(len(k) for k in results["seed"])
    for key, value in results["seed"].items():
        print(f"  {key:<{width}}  {value}")
    print("patient stories (tests/scenarios/stories.yaml): expected cause in the top 3 and triage")
    results["stories"] = stories.run()
    print(stories.table(results["stories"]))
    print("  " + ", ".join(f"{k} {v}" for k, v in results["stories"].items() if k != "rows"))
    print("attacks (issue 17) against a real clinkg serve, /health polled throughout")
    results["attacks"] = attack_bench.run()
    print(attack_bench.table(results["attacks"]))
    rows = results["attacks"]["attacks"].values()
    results["attacks"]["worst_health_p99_ms"] = max(r["health_p99_ms"] for r in rows)
    results["attacks"]["at_rest_total_mb"] = results["attacks"]["at_rest"]["total_mb"]
    print("words to findings: search on written and held-out phrases, free-text intake on written notes")
    results["language"] = language_bench.run()
    print(language_bench.table(results["language"]))
    if shutil.which("wrk") is None:
        print("wrk not found: load benchmark skipped (make bench installs it)")
    else:
        seconds = QUICK_LOAD_SECONDS if args.quick else 60
        print(f"load: differential, search, entity and SPARQL mixed for {seconds} s (two wrk processes)")
        results["load"] = load_bench.run(seconds=seconds)
        print(load_bench.table(results["load"]))
    if not args.no_hpo:
        print("HPO-scale graph: import, differential, memory, SPARQL vs rdflib, recall vs hpo3 and pyhpo")
        results["hpo"] = hpo_bench.run()
    print(summary(results))
    results["wall_s"] = round(time.perf_counter() - started, 1)
    print(f"make bench: {results['wall_s']:.0f} s")
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


GOALS = (
    ("seed", "differential_p50_ms", "<=", 1.0),
    ("seed", "http_ratio", ">=", 0.5),
    ("seed", "http_uncached_ratio", ">=", 0.5),
    ("attacks", "worst_health_p99_ms", "<=", 100.0),
    ("attacks", "at_rest_total_mb", "<=", 300.0),
    ("language", "search_top1", ">=", 0.95),
    ("language", "holdout_top1", ">=", 0.95),
    ("language", "fresh_top1", ">=", 0.95),
    ("language", "hpo_search_top1", ">=", 0.95),
    ("language", "hpo_search_p50_ms", "<=", 2.0),
    ("language", "intake_f1", ">=", 0.9),
    ("language", "fresh_intake_f1", ">=", 0.9),
    ("language", "negation_accuracy", ">=", 0.95),
    ("language", "fresh_negation_accuracy", ">=", 0.95),
    ("language", "intake_p50_ms", "<=", 20.0),
    ("hpo", "triples", ">=", 1_000_000),
    ("hpo", "load_speedup", ">=", 5.0),
    ("hpo", "differential_p50_ms", "<=", 10.0),
    ("hpo", "differential_vs_hpo3", ">=", 10.0),
    ("hpo", "sparql_speedup_vs_rdflib_median", ">=", 20.0),
    ("hpo", "rss_mb", "<=", 1536.0),
)


def summary(results: dict[str, Any]) -> str:
    """The issue's goals next to what this run measured."""
    lines = ["goal                                      measured      goal"]
    for section, key, op, goal in GOALS:
        value = results.get(section, {}).get(key)
        met = value is not None and (value <= goal if op == "<=" else value >= goal)
        lines.append(f"{section}.{key:<36} {value!s:>12}  {op} {goal}  {'met' if met else 'MISSED'}")
    hpo = results.get("hpo", {})
    # On hpo3's subset of the simulated patients: with excluded terms at least hpo3 enrichment's top-10,
    # and no worse than without them.
    for key, other in (
        ("clinkg_on_hpo3_top10_recall", "hpo3_enrichment_top10_recall"),
        ("clinkg_on_hpo3_top10_recall", "hpo3_top10_recall"),
        ("clinkg_on_hpo3_top10_recall", "observed_only_on_hpo3_top10_recall"),
    ):
        if key in hpo and other in hpo:
            met = hpo[key] >= hpo[other]
            lines.append(
                f"hpo.{key:<36} {hpo[key]!s:>12}  >= {hpo[other]} ({other})  {'met' if met else 'MISSED'}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
