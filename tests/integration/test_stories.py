"""Patient stories (tests/scenarios/stories.yaml) asked over HTTP: the expected cause among the first
three candidates, the triage level, the red flags and the tests that must come early."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

pytestmark = pytest.mark.integration

STORIES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parents[1] / "scenarios" / "stories.yaml").read_text(encoding="utf-8")
)["stories"]


def test_there_are_at_least_20_stories_of_our_own() -> None:
    assert len([s for s in STORIES if not s["name"].startswith("issue-")]) >= 20


@pytest.mark.parametrize("story", STORIES, ids=[s["name"] for s in STORIES])
def test_story(http: httpx.Client, story: dict[str, Any]) -> None:
    response = http.post("/v1/differential", json=story["request"])
    assert response.status_code == 200, response.text
    answer = response.json()
    first = [c["id"] for c in answer["candidates"][:3]]
    for cause in story["top3"]:
        assert f"clinkg:{cause}" in first, (story["story"], first)
    assert answer["triage"]["level"] == story["triage"], (story["story"], answer["triage"])
    assert answer["triage"]["reason"] and answer["triage"]["action"]
    raised = {f["id"] for f in answer["red_flags"]}
    assert {f"clinkg:{flag}" for flag in story.get("flags", [])} <= raised, raised
    if "early_tests" in story:
        early = {t["id"] for t in answer["tests"][:3]}
        assert early & {f"clinkg:{test}" for test in story["early_tests"]}, (story["story"], early)
