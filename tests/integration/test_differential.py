"""Clinical scenarios through the HTTP API: one vignette per test."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

pytestmark = pytest.mark.integration


def ask(http: httpx.Client, **body: Any) -> dict[str, Any]:
    response = http.post("/v1/differential", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert "not a diagnosis" in answer["disclaimer"]
    return answer


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def test_sudden_one_sided_weakness_with_difficulty_walking_is_stroke_and_an_emergency(
    http: httpx.Client,
) -> None:
    answer = ask(
        http, present=["leg-weakness", "difficulty-walking"], onset="sudden", laterality="unilateral"
    )
    assert "clinkg:stroke" in ids(answer["candidates"])[:3]
    assert "clinkg:rf-sudden-leg-weakness" in ids(answer["red_flags"])
    assert answer["triage"]["level"] == "emergency"
    assert {"clinkg:mri", "clinkg:ct-scan"} & set(ids(answer["tests"]))


def test_saddle_anesthesia_with_bladder_and_back_pain_is_cauda_equina(http: httpx.Client) -> None:
    answer = ask(http, present=["leg-weakness", "saddle-anesthesia", "urinary-retention", "severe-back-pain"])
    assert ids(answer["candidates"])[0] == "clinkg:cauda-equina-syndrome"
    assert answer["triage"]["level"] == "emergency"
    assert "clinkg:mri" in ids(answer["tests"])
    flags = {f["id"]: f for f in answer["red_flags"]}
    assert "surgical decompression" in flags["clinkg:rf-cauda-equina-syndrome"]["action"]
    assert set(flags["clinkg:rf-cauda-equina-syndrome"]["triggered_by"]) >= {
        "clinkg:leg-weakness",
        "clinkg:saddle-anesthesia",
        "clinkg:urinary-retention",
    }


def test_rapid_symmetric_ascending_weakness_after_a_virus_is_guillain_barre(http: httpx.Client) -> None:
    answer = ask(http, present=["leg-weakness", "viral-infection"], onset="rapid", laterality="bilateral")
    assert ids(answer["candidates"])[0] == "clinkg:guillain-barre-syndrome"
    assert answer["triage"]["level"] == "emergency"
    assert {"clinkg:emg", "clinkg:nerve-conduction-study"} & set(ids(answer["tests"]))
    assert "clinkg:rf-rapidly-progressing-weakness" in ids(answer["red_flags"])


def test_claudication_points_to_peripheral_artery_disease_not_an_emergency(http: httpx.Client) -> None:
    answer = ask(http, present=["claudication"])
    assert "clinkg:peripheral-artery-disease" in ids(answer["candidates"])[:3]
    assert answer["triage"]["level"] != "emergency"
    assert answer["red_flags"] == []


def test_soreness_after_heavy_exercise_is_self_care(http: httpx.Client) -> None:
    answer = ask(http, present=["exercise-muscle-soreness", "overexertion"])
    assert ids(answer["candidates"])[0] in {"clinkg:overexertion", "clinkg:delayed-onset-muscle-soreness"}
    assert answer["triage"]["level"] == "self_care"
    assert answer["red_flags"] == []


def test_a_red_flag_finding_marked_absent_lowers_the_causes_it_points_to(http: httpx.Client) -> None:
    def score(answer: dict[str, Any]) -> float:
        return next(c["score"] for c in answer["candidates"] if c["id"] == "clinkg:cauda-equina-syndrome")

    base = ask(http, present=["leg-weakness", "severe-back-pain"])
    lowered = ask(http, present=["leg-weakness", "severe-back-pain"], absent=["saddle-anesthesia"])
    assert score(lowered) < score(base)
    ces = next(c for c in lowered["candidates"] if c["id"] == "clinkg:cauda-equina-syndrome")
    assert "clinkg:saddle-anesthesia" in ids(ces["against"])


def test_a_triggered_red_flag_is_always_reported_whatever_the_ranking(http: httpx.Client) -> None:
    # Many findings pull other causes up; the cauda equina flag must still be there.
    answer = ask(
        http,
        present=[
            "leg-weakness",
            "saddle-anesthesia",
            "bowel-incontinence",
            "claudication",
            "muscle-cramps",
            "numbness",
            "tingling",
            "fatigue",
            "exercise-muscle-soreness",
            "overexertion",
        ],
        absent=["severe-back-pain"],
    )
    flags = {f["id"]: f for f in answer["red_flags"]}
    assert "clinkg:rf-cauda-equina-syndrome" in flags
    assert flags["clinkg:rf-cauda-equina-syndrome"]["urgency"] == "emergency"
    assert answer["triage"]["level"] == "emergency"


def test_a_lone_leg_weakness_lists_every_cause_that_reaches_it(http: httpx.Client) -> None:
    answer = ask(http, present=["leg-weakness"], include_contributors=True, limit=50)
    found = set(ids(answer["candidates"]))
    for cause in (
        "stroke",
        "guillain-barre-syndrome",
        "herniated-disc",
        "dehydration",
        "diuretics",
        "sarcopenia",
    ):
        assert f"clinkg:{cause}" in found, cause
    assert answer["triage"]["level"] == "consult"


def test_every_candidate_explains_itself_with_paths_and_provenance(http: httpx.Client) -> None:
    answer = ask(http, present=["leg-weakness"], include_contributors=True, limit=50, verbose=True)
    diuretics = next(c for c in answer["candidates"] if c["id"] == "clinkg:diuretics")
    path = diuretics["paths"][0]
    assert path["nodes"][0]["id"] == "clinkg:leg-weakness" and path["nodes"][-1]["id"] == "clinkg:diuretics"
    assert "clinkg:increased-urination" in ids(path["nodes"])
    for edge in path["edges"]:
        assert edge["provenance"]["source"] == "leg-weakness-article"
        assert edge["provenance"]["statement"]
    assert diuretics["score"] < next(
        c["score"] for c in answer["candidates"] if c["id"] == "clinkg:dehydration"
    )


def test_history_items_support_the_causes_they_lead_to(http: httpx.Client) -> None:
    without = ask(http, present=["leg-weakness"], include_contributors=True, limit=50)
    with_history = ask(http, present=["leg-weakness", "diuretics"], include_contributors=True, limit=50)

    def score(answer: dict[str, Any], cause: str) -> float:
        return next(c["score"] for c in answer["candidates"] if c["id"] == cause)

    assert score(with_history, "clinkg:dehydration") > score(without, "clinkg:dehydration")
    assert score(with_history, "clinkg:diuretics") > score(without, "clinkg:diuretics")


def test_cross_reference_curies_and_labels_name_findings(http: httpx.Client) -> None:
    by_code = ask(http, present=["HP:0004417"])
    by_label = ask(http, present=["Claudication"])
    assert ids(by_code["candidates"]) == ids(by_label["candidates"])
    # A more specific HPO term counts as the finding it refines (distal leg weakness -> leg weakness).
    assert ids(ask(http, present=["HP:0009053"])["candidates"]) == ids(
        ask(http, present=["leg-weakness"])["candidates"]
    )


def test_unknown_ids_are_a_422_naming_them(http: httpx.Client) -> None:
    response = http.post(
        "/v1/differential", json={"present": ["leg-weakness", "unicorn-horn"], "absent": ["HP:9999999"]}
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "unicorn-horn" in detail and "HP:9999999" in detail


def test_a_test_or_mechanism_is_not_a_finding(http: httpx.Client) -> None:
    response = http.post("/v1/differential", json={"present": ["mri"]})
    assert response.status_code == 422
    assert "mri" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"present": []},
        {"present": ["leg-weakness"], "onset": "yesterday"},
        {"present": "leg-weakness"},
        {"present": ["leg-weakness"], "age": -1},
        {"present": ["leg-weakness"], "colour": "red"},
    ],
)
def test_malformed_requests_are_422_with_json_detail(http: httpx.Client, body: dict[str, Any]) -> None:
    response = http.post("/v1/differential", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_tests_that_tell_mechanisms_apart_rank_first(http: httpx.Client) -> None:
    answer = ask(http, present=["leg-weakness", "numbness", "generalized-weakness"])
    tests = answer["tests"]
    assert tests[0]["separates"], tests[0]
    shared = [t for t in tests if not t["separates"]]
    assert all(len(t["separates"]) >= 1 for t in tests[: len(tests) - len(shared)])
    assert all(t["rationale"] and t["for"] for t in tests)


def test_answers_match_the_documented_response_model(http: httpx.Client) -> None:
    from clinkg.service.api.models import DifferentialResponse

    body = ask(http, present=["leg-weakness", "saddle-anesthesia", "urinary-retention"], onset="sudden")
    parsed = DifferentialResponse.model_validate(body)
    assert parsed.candidates and parsed.red_flags and parsed.tests
    schema = http.get("/openapi.json").json()["paths"]["/v1/differential"]["post"]["responses"]["200"]
    assert schema["content"]["application/json"]["schema"]["$ref"].endswith("DifferentialResponse")


def test_a_compact_answer_lists_each_node_and_edge_once(http: httpx.Client) -> None:
    body = {"present": ["leg-weakness", "fatigue"], "include_contributors": True, "limit": 50}
    compact = ask(http, **body)
    verbose = ask(http, **body, verbose=True)
    assert "edges" not in verbose and "nodes" not in verbose
    for short, full in zip(compact["candidates"], verbose["candidates"], strict=True):
        for path, inline in zip(short["paths"], full["paths"], strict=True):
            assert [compact["edges"][e] for e in path["edges"]] == inline["edges"]
            assert [{"id": n, **compact["nodes"][n]} for n in path["nodes"]] == inline["nodes"]
    used = {e for c in compact["candidates"] for p in c["paths"] for e in p["edges"]}
    assert used == set(compact["edges"])  # every edge once, and only those the paths use
    raw = orjson.dumps(compact)
    for edge in compact["edges"].values():  # each statement once in the whole answer
        assert raw.count(orjson.dumps(edge["provenance"]["statement"])) == 1
    assert len(raw) < len(orjson.dumps(verbose))
