"""The patient stories of tests/scenarios/stories.yaml, answered in process: for each, the first three
candidates and the triage next to what a clinician expects. Printed by `make bench`; asserts nothing (the
same stories are tests over HTTP in tests/integration/test_stories.py).

`python bench/stories.py OUT.json` writes the rows, so that two versions of clinkg can be compared.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from clinkg.loaders.build import build
from clinkg.service.api.connection import Served, answer_json, serve
from clinkg.service.api.models import DifferentialRequest
from clinkg.service.stores.oxigraph import OxigraphBackend

STORIES = Path(__file__).resolve().parents[1] / "tests" / "scenarios" / "stories.yaml"


def _level(triage: Any) -> str:
    return str(triage["level"] if isinstance(triage, dict) else triage)


def rows(served: Served) -> list[dict[str, Any]]:
    """One row per story: expected and answered top causes and triage, and whether both hold."""
    out = []
    for story in yaml.safe_load(STORIES.read_text(encoding="utf-8"))["stories"]:
        row: dict[str, Any] = {
            "name": story["name"],
            "expected_top3": story["top3"],
            "expected": story["triage"],
        }
        try:
            result = answer_json(DifferentialRequest.model_validate(story["request"]), served)
        except (ValidationError, Exception) as exc:  # an older clinkg may not know a field or an id
            row.update(top3=[], triage=f"error: {type(exc).__name__}", ok=False)
            out.append(row)
            continue
        top3 = [c["id"].removeprefix("clinkg:") for c in result["candidates"][:3]]
        row.update(top3=top3, triage=_level(result["triage"]))
        row["ok"] = set(story["top3"]) <= set(top3) and row["triage"] == story["triage"]
        out.append(row)
    return out


def run() -> dict[str, Any]:
    """Build the curated graph, answer every story, return the rows and the tally."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "build"
        build(out)
        found = rows(serve(OxigraphBackend.open(out / "current" / "store")))
    emergencies = [r for r in found if r["expected"] == "emergency"]
    return {
        "stories": len(found),
        "right": sum(r["ok"] for r in found),
        "cause_in_top3": sum(set(r["expected_top3"]) <= set(r["top3"]) for r in found),
        "emergencies_answered_as_emergencies": f"{sum(r['triage'] == 'emergency' for r in emergencies)}"
        f"/{len(emergencies)}",
        "benign_over_triaged": sum(
            r["expected"] != "emergency" and r["triage"] == "emergency" for r in found
        ),
        "rows": found,
    }


def table(result: dict[str, Any]) -> str:
    """The stories as a text table."""
    lines = [f"{'story':<55} {'expected':<10} {'answered':<10} first three candidates"]
    for r in result["rows"]:
        mark = "" if r["ok"] else "  <-- differs"
        lines.append(f"{r['name']:<55} {r['expected']:<10} {r['triage']:<10} {', '.join(r['top3'])}{mark}")
    return "\n".join(lines)


if __name__ == "__main__":
    result = run()
    print(table(result))
    print({k: v for k, v in result.items() if k != "rows"})
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(json.dumps(result, indent=2), encoding="utf-8")
