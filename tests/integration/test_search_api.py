"""GET /v1/search on the live service over the curated graph."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration


def results(http: httpx.Client, **params: str | int) -> list[dict[str, Any]]:
    response = http.get("/v1/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()["results"]


def top(http: httpx.Client, q: str) -> str:
    found = results(http, q=q)
    assert found, f"nothing found for {q!r}"
    return str(found[0]["id"])


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("saddle anesthesia", "clinkg:saddle-anesthesia"),
        ("numbness in the groin", "clinkg:saddle-anesthesia"),
        ("numb groin", "clinkg:saddle-anesthesia"),
        ("HP:0007340", "clinkg:leg-weakness"),
        ("hp:0007340", "clinkg:leg-weakness"),
        ("weak legs", "clinkg:leg-weakness"),
        ("guillain barre", "clinkg:guillain-barre-syndrome"),
        ("Guillain-Barré", "clinkg:guillain-barre-syndrome"),
        ("ICD10CM:G61.0", "clinkg:guillain-barre-syndrome"),
        ("claudicaton", "clinkg:claudication"),
        ("leg pain walking", "clinkg:claudication"),
        ("muscle cramps", "clinkg:muscle-cramps"),
        ("pins and needles", "clinkg:tingling"),
    ],
)
def test_finds_the_entity_first(http: httpx.Client, q: str, expected: str) -> None:
    assert top(http, q) == expected


def test_result_shape(http: httpx.Client) -> None:
    hit = results(http, q="HP:0007340")[0]
    assert hit == {
        "id": "clinkg:leg-weakness",
        "label": "Leg weakness",
        "type": "finding",
        "graph": "curated",
        "score": 100.0,
        "matched": "HP:0007340",
        "via": None,
    }


def test_scores_descend(http: httpx.Client) -> None:
    scores = [hit["score"] for hit in results(http, q="leg weakness")]
    assert scores == sorted(scores, reverse=True) and len(scores) > 1


def test_type_filter_returns_only_that_type(http: httpx.Client) -> None:
    found = results(http, q="test", type="test", limit=50)
    assert found and {hit["type"] for hit in found} == {"test"}


def test_limit(http: httpx.Client) -> None:
    assert len(results(http, q="leg", limit=2)) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({}, "q"),
        ({"q": "leg", "type": "disease"}, "type"),
        ({"q": "leg", "limit": 0}, "limit"),
        ({"q": "leg", "limit": 100_000}, "limit"),
        ({"q": "leg", "limit": "many"}, "limit"),
    ],
)
def test_bad_requests_are_422(http: httpx.Client, params: dict[str, str | int], field: str) -> None:
    response = http.get("/v1/search", params=params)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [problem["loc"] for problem in detail] == [["query", field]]


def test_bad_type_names_the_allowed_values(http: httpx.Client) -> None:
    response = http.get("/v1/search", params={"q": "leg", "type": "disease"})
    message = response.json()["detail"][0]["msg"]
    assert all(name in message for name in ("cause", "mechanism", "finding", "red_flag", "test", "source"))


def test_foot_drop_is_a_form_of_leg_weakness(http: httpx.Client) -> None:
    # No curated name says "foot drop": it is the name of an HP term below the finding's exact code.
    hit = results(http, q="foot drop")[0]
    assert hit["id"] == "clinkg:leg-weakness" and hit["matched"].casefold() == "foot drop"


def test_hp_terms_and_diseases_are_found_on_an_hpo_release(hpo_http: httpx.Client) -> None:
    def first(q: str) -> dict[str, Any]:
        response = hpo_http.get("/v1/search", params={"q": q})
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["results"]
        assert found, q
        return found[0]

    assert (first("areflexia")["id"], first("areflexia")["graph"]) == ("HP:0001284", "hpo")
    assert first("HP:0009027")["id"] == "HP:0009027"
    # Foot drop names a curated synonym and the HP term: both come first, the curated one before.
    drop = [h["id"] for h in hpo_http.get("/v1/search", params={"q": "foot drop"}).json()["results"][:2]]
    assert drop == ["clinkg:leg-weakness", "HP:0009027"]
    disease = first("cerebrocostomandibular syndrome")
    assert disease["id"] in {"OMIM:117650", "ORPHA:1393"} and disease["type"] == "cause"
    # An HP term that is a curated finding's exact code is that finding: one hit, the curated one.
    assert first("HP:0007340")["id"] == "clinkg:leg-weakness"
    assert first("lower limb muscle weakness")["id"] == "clinkg:leg-weakness"
