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
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import load_bench  # noqa: E402 - after the path is set
import seed_bench  # noqa: E402 - after the path is set

QUICK_LOAD_SECONDS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description="clinkg benchmarks")
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("CLINKG_BENCH_QUICK", "") not in ("", "0"),
        help=f"a {QUICK_LOAD_SECONDS} s load run instead of 60 s (also CLINKG_BENCH_QUICK=1)",
    )
    args = parser.parse_args()
    results = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()}}
    print("seed graph: in-process differential, HTTP differential vs hello-world (wrk), start-up")
    results["seed"] = seed_bench.run()
    width = max(len(k) for k in results["seed"])
    for key, value in results["seed"].items():
        print(f"  {key:<{width}}  {value}")
    if shutil.which("wrk") is None:
        print("wrk not found: load benchmark skipped (make bench installs it)")
    else:
        seconds = QUICK_LOAD_SECONDS if args.quick else 60
        print(f"load: differential, search, entity and SPARQL mixed for {seconds} s (two wrk processes)")
        results["load"] = load_bench.run(seconds=seconds)
        print(load_bench.table(results["load"]))
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
