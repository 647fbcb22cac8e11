"""Every form of reference over HTTP, on the real app: /v1/entities/{id}, /v1/paths and the differential
accept what the resolver reads (ids, CURIEs, IRIs raw or URL-encoded, bare ICD-10-CM codes, labels and
synonyms) on the curated build; on the HPO slice (conftest) HP terms and HPO diseases have pages and paths
of their own, and curated answers stay as they were."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from clinkg.service.api.models import DifferentialResponse
from clinkg.service.api.routes.entities import EntityDetail, HpoDiseaseDetail, HpoTermDetail
from clinkg.service.api.routes.paths import PathList

from .conftest import hpoa_line

pytestmark = pytest.mark.integration

OUR_IRI = "https://w3id.org/clinkg/id/leg-weakness"
HP_IRI = "http://purl.obolibrary.org/obo/HP_0007340"
ICD_IRI = "http://purl.bioontology.org/ontology/ICD10CM/G61.0"
DISEASE = "OMIM:620106"  # in the HPO slice with every row; presents with HP:0007340 (conftest)
CHILD = "HP:0009053"  # Distal lower limb muscle weakness: is_a HP:0007340, cited by no curated entity


def entity(client: httpx.Client, reference: str, **params: str) -> dict[str, Any]:
    response = client.get(f"/v1/entities/{quote(reference, safe='')}", params=params)
    assert response.status_code == 200, (reference, response.text)
    body: dict[str, Any] = response.json()
    return body


def paths(client: httpx.Client, start: str, goal: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/v1/paths", params={"from": start, "to": goal, **params})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = PathList.model_validate(response.json()).model_dump(by_alias=True)["paths"]
    return found


def chain(path: dict[str, Any]) -> list[str]:
    return [node["id"] for node in path["nodes"]]


# --- /v1/entities on the curated build ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        "leg-weakness",
        "Leg-Weakness",
        "clinkg:leg-weakness",
        OUR_IRI,
        "HP:0007340",
        "HP_0007340",
        "hp:0007340",
        HP_IRI,
        "Leg weakness",
        "weak legs",
        "  Weak   LEGS ",
        CHILD,  # uncited: through its nearest cited ancestor, as before
    ],
)
def test_every_form_names_the_same_entity_page(http: httpx.Client, reference: str) -> None:
    body = entity(http, reference)
    assert body == entity(http, "leg-weakness")
    EntityDetail.model_validate(body)


@pytest.mark.parametrize("iri", [OUR_IRI, HP_IRI])
def test_iris_may_keep_their_slashes_in_the_path(http: httpx.Client, iri: str) -> None:
    response = http.get(f"/v1/entities/{iri}")
    assert response.status_code == 200, response.text
    assert response.json()["id"] == "clinkg:leg-weakness"


@pytest.mark.parametrize("reference", ["G61.0", "g61.0", "G610", "ICD10CM:G61.0", "icd10cm:g61.0", ICD_IRI])
def test_icd_10_cm_codes_bare_or_prefixed(http: httpx.Client, reference: str) -> None:
    assert entity(http, reference)["id"] == "clinkg:guillain-barre-syndrome"


def test_a_curated_page_is_as_it_was(http: httpx.Client) -> None:
    body = entity(http, "guillain-barre-syndrome")
    assert set(body) == {
        "id", "label", "type", "kind", "category", "urgency", "synonyms", "xrefs", "mappings",
        "definition", "action", "safety_net", "when", "citations", "edges",
    }  # fmt: skip
    assert "ICD10CM:G61.0" in body["xrefs"]


@pytest.mark.parametrize(
    "reference", ["unicorn", "HP:0001324", "OMIM:620106", "https://w3id.org/clinkg/id/unicorn", "Z99.89"]
)
def test_unknown_references_are_404_naming_only_the_reference(http: httpx.Client, reference: str) -> None:
    response = http.get(f"/v1/entities/{quote(reference, safe='')}")
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail.startswith(f"no entity '{reference}' (")
    assert detail.count(reference) == 1


# --- /v1/paths and the differential on the curated build ------------------------------------------------------


def test_paths_take_every_form_and_answer_as_with_ids(http: httpx.Client) -> None:
    by_ids = paths(http, "diuretics", "leg-weakness")
    assert by_ids == paths(http, "https://w3id.org/clinkg/id/diuretics", "HP_0007340")
    assert by_ids == paths(http, "clinkg:diuretics", "weak legs")
    assert [
        "clinkg:diuretics",
        "clinkg:increased-urination",
        "clinkg:dehydration",
        "clinkg:leg-weakness",
    ] in [chain(p) for p in by_ids]


def test_paths_from_a_bare_code(http: httpx.Client) -> None:
    assert paths(http, "g61.0", "leg-weakness") == paths(http, "guillain-barre-syndrome", "leg-weakness")


def test_the_differential_takes_every_form(http: httpx.Client) -> None:
    def ask(present: list[str]) -> dict[str, Any]:
        response = http.post("/v1/differential", json={"present": present})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        DifferentialResponse.model_validate(body)
        return body

    plain = ask(["leg-weakness", "saddle-anesthesia", "urinary-retention"])
    labels = [entity(http, ref)["label"] for ref in ("saddle-anesthesia", "urinary-retention")]
    assert ask(["HP_0007340", *labels]) == plain
    assert ask([OUR_IRI, "clinkg:saddle-anesthesia", "https://w3id.org/clinkg/id/urinary-retention"]) == plain


def test_the_differential_names_unknown_references(http: httpx.Client) -> None:
    response = http.post("/v1/differential", json={"present": ["HP_0007340", "unicorn", "HP:9999999"]})
    assert response.status_code == 422
    assert response.json()["detail"] == "unknown ids in 'present': unicorn, HP:9999999"


# --- the HPO slice ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reference", [CHILD, "hp_0009053", f"http://purl.obolibrary.org/obo/HP_{CHILD[3:]}"])
def test_an_uncited_hp_term_has_its_own_page(hpo_http: httpx.Client, reference: str) -> None:
    body = entity(hpo_http, reference)
    HpoTermDetail.model_validate(body)
    assert (body["id"], body["type"], body["label"]) == (
        CHILD,
        "hpo_term",
        "Distal lower limb muscle weakness",
    )
    parents = {e["other"]["id"] for e in body["edges"] if e["direction"] == "out"}
    assert "HP:0007340" in parents
    assert all(e["predicate"] == "is_a" and e["provenance"][0]["source"] == "hp.obo" for e in body["edges"])
    assert body["curated"]["id"] == "clinkg:leg-weakness"
    assert body["annotated_diseases"] >= body["directly_annotated_diseases"] >= 0


def test_a_term_page_counts_its_diseases_and_lists_children_and_curated_mappings(
    hpo_http: httpx.Client,
) -> None:
    body = entity(hpo_http, "HP:0007340", graph="hpo")
    HpoTermDetail.model_validate(body)
    by_kind = {(e["predicate"], e["direction"], e["other"]["id"]) for e in body["edges"]}
    assert ("is_a", "in", CHILD) in by_kind
    assert ("exact_match", "in", "clinkg:leg-weakness") in by_kind
    assert body["directly_annotated_diseases"] >= 1  # OMIM:620106 at least
    assert body["annotated_diseases"] >= body["directly_annotated_diseases"]


def test_a_cited_term_still_names_the_curated_entity(hpo_http: httpx.Client, http: httpx.Client) -> None:
    assert entity(hpo_http, "HP:0007340")["id"] == "clinkg:leg-weakness"
    assert entity(hpo_http, CHILD, graph="curated")["id"] == "clinkg:leg-weakness"
    assert hpo_http.get(f"/v1/entities/{DISEASE}", params={"graph": "curated"}).status_code == 404


@pytest.mark.parametrize(
    "reference", [DISEASE, "omim:620106", "OMIM_620106", f"https://w3id.org/clinkg/id/{DISEASE}"]
)
def test_a_disease_page_shows_every_annotation_with_its_row(hpo_http: httpx.Client, reference: str) -> None:
    body = entity(hpo_http, reference)
    HpoDiseaseDetail.model_validate(body)
    assert (body["id"], body["type"]) == (DISEASE, "hpo_disease")
    assert body["label"] == "Spastic paraplegia 88, autosomal dominant"
    weakness = [e for e in body["edges"] if e["other"]["id"] == "HP:0007340"]
    assert weakness and weakness[0]["predicate"] == "presents_with" and weakness[0]["direction"] == "out"
    provenance = weakness[0]["provenance"][0]
    assert provenance["section"] == "phenotype.hpoa" and provenance["statement"]
    columns = hpoa_line(provenance["paragraph"])
    assert columns[0] == DISEASE and columns[3] == "HP:0007340"
    assert "frequency" in weakness[0]["qualifiers"]
    onsets = [e["qualifiers"]["onset"] for e in body["edges"] if "onset" in e["qualifiers"]]
    assert onsets and all(onset.startswith("HP:") for onset in onsets)


def test_not_annotations_and_same_named_entries(hpo_http: httpx.Client) -> None:
    chand = entity(hpo_http, "ORPHA:1401")
    negated = [e for e in chand["edges"] if e["predicate"] == "not_presents_with"]
    assert negated and hpoa_line(negated[0]["provenance"][0]["paragraph"])[2] == "NOT"
    twin = entity(hpo_http, "ORPHA:1393")
    assert [n["id"] for n in twin["same_disease"]] == ["OMIM:117650"]


def test_hpo_paths_from_a_term_to_a_disease_and_back(hpo_http: httpx.Client) -> None:
    direct = paths(hpo_http, "HP:0007340", DISEASE)
    assert chain(direct[0]) == ["HP:0007340", DISEASE]
    edge = direct[0]["edges"][0]
    assert (edge["predicate"], edge["from"], edge["to"]) == ("presents_with", DISEASE, "HP:0007340")
    assert hpoa_line(edge["provenance"]["paragraph"])[3] == "HP:0007340"
    assert chain(paths(hpo_http, CHILD, DISEASE)[0]) == [CHILD, "HP:0007340", DISEASE]
    back = paths(hpo_http, DISEASE, CHILD)
    assert chain(back[0]) == [DISEASE, "HP:0007340", CHILD]
    assert [e["predicate"] for e in back[0]["edges"]] == ["presents_with", "is_a"]
    assert all(len(p["edges"]) <= 2 for p in paths(hpo_http, CHILD, DISEASE, max_length=2))


def test_hpo_paths_from_a_curated_finding_through_its_code(hpo_http: httpx.Client) -> None:
    to_term = paths(hpo_http, "leg-weakness", CHILD)
    assert chain(to_term[0]) == ["clinkg:leg-weakness", "HP:0007340", CHILD]
    assert [e["predicate"] for e in to_term[0]["edges"]] == ["exact_match", "is_a"]
    to_disease = paths(hpo_http, "weak legs", DISEASE)
    assert chain(to_disease[0]) == ["clinkg:leg-weakness", "HP:0007340", DISEASE]
    assert [n["type"] for n in to_disease[0]["nodes"]] == ["finding", "hpo_term", "hpo_disease"]


def test_an_uncited_term_meets_the_curated_graph_at_the_entity_it_stands_for(hpo_http: httpx.Client) -> None:
    found = paths(hpo_http, CHILD, "stroke")
    assert chain(found[0]) == [CHILD, "HP:0007340", "clinkg:leg-weakness", "clinkg:stroke"]
    assert [e["predicate"] for e in found[0]["edges"]] == ["is_a", "exact_match", "presents_with"]
    # Past the entity, the curated graph's own paths, as it gives them.
    tails = [p["edges"][2:] for p in found]
    assert tails == [p["edges"] for p in paths(hpo_http, "leg-weakness", "stroke", max_length=2)]
    back = paths(hpo_http, "stroke", CHILD)
    assert [chain(p)[::-1] for p in back] == [chain(p) for p in found]


def test_curated_paths_are_as_they_were_on_the_hpo_release(
    hpo_http: httpx.Client, http: httpx.Client
) -> None:
    assert paths(hpo_http, "HP:0007340", "stroke") == paths(http, "leg-weakness", "stroke")


def test_the_differential_takes_hp_terms_however_written(hpo_http: httpx.Client) -> None:
    def ask(present: list[str]) -> dict[str, Any]:
        response = hpo_http.post("/v1/differential", json={"present": present, "scope": "hpo"})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        DifferentialResponse.model_validate(body)
        return body

    plain = ask(["HP:0007340"])
    assert DISEASE in [c["id"] for c in plain["candidates"]]
    assert ask(["HP_0007340"]) == ask([HP_IRI]) == ask(["Lower limb muscle weakness"]) == plain


def test_the_differential_refuses_a_disease_as_a_finding(hpo_http: httpx.Client) -> None:
    response = hpo_http.post("/v1/differential", json={"present": ["HP:0007340", DISEASE], "scope": "hpo"})
    assert response.status_code == 422
    assert DISEASE in response.json()["detail"]
