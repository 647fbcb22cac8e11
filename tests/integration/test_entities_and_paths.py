"""Entities and paths over HTTP."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.integration


def test_entities_are_listed_by_type_with_totals(http: httpx.Client) -> None:
    body = http.get("/v1/entities", params={"type": "red_flag"}).json()
    assert body["total"] == 5 and len(body["items"]) == 5
    page = http.get("/v1/entities", params={"limit": 10, "offset": 10}).json()
    assert len(page["items"]) == 10 and page["total"] > 80


def test_an_entity_by_cross_reference_shows_edges_with_provenance(http: httpx.Client) -> None:
    body = http.get("/v1/entities/HP:0007340").json()
    assert body["id"] == "clinkg:leg-weakness"
    assert "HP:0007340" in body["xrefs"] and body["synonyms"]
    stroke = next(e for e in body["edges"] if e["other"]["id"] == "clinkg:stroke")
    assert stroke["direction"] == "in" and stroke["predicate"] == "presents_with"
    assert stroke["qualifiers"]["onset"] == "sudden"
    assert stroke["provenance"][0]["section"] and stroke["provenance"][0]["paragraph"] >= 1


def test_an_entity_by_our_curie_has_citations(http: httpx.Client) -> None:
    body = http.get("/v1/entities/clinkg:rf-cauda-equina-syndrome").json()
    assert body["type"] == "red_flag" and body["urgency"] == "emergency" and body["action"]
    assert body["citations"][0]["statement"]


@pytest.mark.parametrize("path", ["/v1/entities/unicorn", "/v1/entities/HP:9999999"])
def test_unknown_entities_are_404(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 404
    assert "no entity" in response.json()["detail"]


def test_bad_type_and_limit_are_422(http: httpx.Client) -> None:
    assert http.get("/v1/entities", params={"type": "gene"}).status_code == 422
    assert http.get("/v1/entities", params={"limit": 0}).status_code == 422
    assert http.get("/v1/entities", params={"limit": 100000}).status_code == 422


def test_paths_follow_the_causal_chain(http: httpx.Client) -> None:
    body = http.get("/v1/paths", params={"from": "diuretics", "to": "leg-weakness", "max_length": 4}).json()
    chains = [[n["id"] for n in p["nodes"]] for p in body["paths"]]
    assert [
        "clinkg:diuretics",
        "clinkg:increased-urination",
        "clinkg:dehydration",
        "clinkg:leg-weakness",
    ] in chains
    for path in body["paths"]:
        assert all(edge["provenance"]["statement"] for edge in path["edges"])


def test_paths_validate_their_parameters(http: httpx.Client) -> None:
    assert http.get("/v1/paths", params={"from": "diuretics", "to": "nowhere"}).status_code == 404
    assert (
        http.get("/v1/paths", params={"from": "diuretics", "to": "stroke", "max_length": 99}).status_code
        == 422
    )
    assert http.get("/v1/paths", params={"from": "diuretics"}).status_code == 422


def test_paths_through_tests_end_quickly(http: httpx.Client) -> None:
    # Through test edges the number of simple paths explodes; the walk is bounded and still answers.
    params = {
        "from": "strength-testing",
        "to": "strength-testing",
        "max_length": 6,
        "include_tests": "true",
        "limit": 100,
    }
    response = http.get("/v1/paths", params=params, timeout=60)
    assert response.status_code == 200
