"""`make bench`: run every benchmark, print one table, write bench/results/latest.json."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import seed_bench  # noqa: E402 - after the path is set


def main() -> None:
    results = {"machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()}}
    print("seed graph: in-process differential, HTTP differential vs hello-world (wrk), start-up")
    results["seed"] = seed_bench.run()
    width = max(len(k) for k in results["seed"])
    for key, value in results["seed"].items():
        print(f"  {key:<{width}}  {value}")
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
