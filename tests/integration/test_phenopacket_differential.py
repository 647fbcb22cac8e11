"""POST /v1/differential over HTTP on the HPO slice (conftest): the item limits of each scope, and a GA4GH
phenopacket instead of `present` and `absent` (answered as the same terms given as lists would be; a
malformed one is a 422 naming the JSON path, never the value).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from clinkg.loaders.hpo.read import read_ontology
from clinkg.service.api.models import DifferentialResponse

from ..conftest import FIXTURES

pytestmark = pytest.mark.integration

DISEASE = "OMIM:620106"  # in the slice with all its rows (conftest); the fixtures' diagnosis
PACKETS = FIXTURES / "phenopackets"


def packet(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PACKETS / name).read_text(encoding="utf-8"))
    return data


def post(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/differential", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    DifferentialResponse.model_validate(data)
    return data


def features(packet: dict[str, Any], excluded: bool) -> list[str]:
    return [f["type"]["id"] for f in packet["phenotypicFeatures"] if f.get("excluded", False) is excluded]


@pytest.fixture(scope="module")
def terms() -> list[str]:
    """Current HP terms under phenotypic abnormality (the HPO graph has them all, not only the slice's)."""
    return sorted(read_ontology().findings)


# --- limits (issue 16, item 3) -------------------------------------------------------------------------------


def test_two_hundred_terms_are_accepted_in_scope_hpo(hpo_http: httpx.Client, terms: list[str]) -> None:
    body = {"present": terms[:150], "absent": terms[150:200], "scope": "hpo", "limit": 5}
    assert len(post(hpo_http, body)["candidates"]) == 5


@pytest.mark.parametrize("scope", ["hpo", "all"])
def test_more_than_two_hundred_terms_are_422_naming_the_limit_and_scope(
    hpo_http: httpx.Client, terms: list[str], scope: str
) -> None:
    body = {"present": terms[:150], "absent": terms[150:201], "scope": scope}
    response = hpo_http.post("/v1/differential", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "at most 200" in detail and f"scope '{scope}'" in detail


def test_more_than_fifty_items_are_422_in_scope_curated(hpo_http: httpx.Client, terms: list[str]) -> None:
    response = hpo_http.post("/v1/differential", json={"present": terms[:51], "scope": "curated"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "at most 50" in detail and "scope 'curated'" in detail


def test_a_phenopacket_with_sixty_excluded_terms_is_accepted(
    hpo_http: httpx.Client, terms: list[str]
) -> None:
    data = packet("spg88.json")
    observed = features(data, excluded=False)
    others = [t for t in terms if t not in observed][:60]
    data["phenotypicFeatures"] = [f for f in data["phenotypicFeatures"] if not f.get("excluded")] + [
        {"type": {"id": term}, "excluded": True} for term in others
    ]
    assert post(hpo_http, {"phenopacket": data, "limit": 3})["scope"] == "hpo"


# --- phenopacket input (issue 16, item 5) --------------------------------------------------------------------


def test_a_phenopacket_is_answered_as_its_terms_given_as_lists(hpo_http: httpx.Client) -> None:
    data = packet("spg88.json")
    answer = post(hpo_http, {"phenopacket": data})
    assert answer["scope"] == "hpo", "scope defaults to hpo with a phenopacket"
    assert DISEASE in [c["id"] for c in answer["candidates"]]
    as_lists = {
        "present": features(data, excluded=False),
        "absent": features(data, excluded=True),
        "age": 34,  # P34Y7M
        "scope": "hpo",
    }
    assert answer == post(hpo_http, as_lists)


def test_an_excluded_feature_counts_against_the_diseases_annotated_with_it(hpo_http: httpx.Client) -> None:
    def score(data: dict[str, Any]) -> float:
        found = [
            c for c in post(hpo_http, {"phenopacket": data, "limit": 200})["candidates"] if c["id"] == DISEASE
        ]
        assert found, f"{DISEASE} is not listed"
        return float(found[0]["score"])

    data = packet("spg88_diseases.json")
    before = score(data)
    data["phenotypicFeatures"].append(
        {"type": {"id": "HP:0007340"}, "excluded": True}
    )  # annotated to DISEASE
    assert score(data) < before


def test_the_scope_of_a_phenopacket_request_can_be_chosen(hpo_http: httpx.Client) -> None:
    answer = post(hpo_http, {"phenopacket": packet("spg88.json"), "scope": "all", "limit": 3})
    assert answer["scope"] == "all"


def test_a_malformed_phenopacket_is_422_naming_the_path_not_the_value(hpo_http: httpx.Client) -> None:
    response = hpo_http.post("/v1/differential", json={"phenopacket": packet("malformed.json")})
    assert response.status_code == 422
    assert "phenopacket.phenotypicFeatures[2].type.id" in response.text
    assert "sentinel" not in response.text


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["subject"].update(sex="sentinel"), "phenopacket.subject.sex"),
        (
            lambda d: d["phenotypicFeatures"][1].update(excluded="sentinel"),
            "phenopacket.phenotypicFeatures[1].excluded",
        ),
        (
            lambda d: d["phenotypicFeatures"][0]["type"].update(sentinel=1),
            "phenopacket.phenotypicFeatures[0].type.sentinel",
        ),
        (
            lambda d: d["subject"]["timeAtLastEncounter"]["age"].update(iso8601duration="sentinel"),
            "phenopacket.subject.timeAtLastEncounter.age.iso8601duration",
        ),
    ],
)
def test_schema_errors_name_their_path(hpo_http: httpx.Client, change: Any, path: str) -> None:
    data = packet("spg88.json")
    change(data)
    response = hpo_http.post("/v1/differential", json={"phenopacket": data})
    assert response.status_code == 422
    assert path in response.text
    assert "sentinel" not in response.text.replace(path, "")


def test_an_unknown_term_is_named_by_its_path(hpo_http: httpx.Client) -> None:
    data = packet("spg88.json")
    data["phenotypicFeatures"][1]["type"]["id"] = "HP:9999999"
    response = hpo_http.post("/v1/differential", json={"phenopacket": data})
    assert response.status_code == 422
    assert "phenopacket.phenotypicFeatures[1].type.id" in response.text
    assert "HP:9999999" not in response.text


@pytest.mark.parametrize("field", ["present", "absent"])
def test_a_phenopacket_with_present_or_absent_is_422(hpo_http: httpx.Client, field: str) -> None:
    body = {"phenopacket": packet("spg88.json"), field: ["HP:0007340"]}
    response = hpo_http.post("/v1/differential", json=body)
    assert response.status_code == 422
    assert "not both" in response.text


def test_without_present_or_phenopacket_is_422(hpo_http: httpx.Client) -> None:
    response = hpo_http.post("/v1/differential", json={"scope": "hpo"})
    assert response.status_code == 422
    assert "'present'" in response.text and "phenopacket" in response.text
