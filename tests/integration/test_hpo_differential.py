"""POST /v1/differential with scope "hpo" and "all" on a live service over the HPO slice (conftest): every
disease of the slice ranked for HP terms, explained by paths whose provenance is the phenotype.hpoa line,
more specific annotations matching in full, more general ones at the documented discount, NOT rows and
absent terms counting against, curated red flags still raised; the same answers through FalkorDB.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from clinkg.service.api.answers import _Tables
from clinkg.service.api.connection import Served, answer_json, serve
from clinkg.service.api.models import DifferentialRequest, DifferentialResponse
from clinkg.service.ranking.hpo_rank import HpoIndex
from clinkg.service.ranking.weights import weights
from clinkg.service.settings import Settings
from clinkg.service.stores.cypher import falkordb_backend
from clinkg.service.stores.oxigraph import OxigraphBackend

from .conftest import hpoa_line, live_server

pytestmark = pytest.mark.integration

DISEASE = "OMIM:620106"  # in the slice with all its rows; presents with HP:0007340 (conftest)


def _as_json(value: object) -> Any:
    """A path as the client reads it: the views keep edges serialized (orjson fragments)."""
    return orjson.loads(orjson.dumps(value))


@pytest.fixture(scope="module")
def served(hpo_build_dir: Path) -> Served:
    return serve(OxigraphBackend.open(hpo_build_dir / "store"))


@pytest.fixture(scope="module")
def hpo(served: Served) -> HpoIndex:
    assert served.ranking.hpo is not None
    return served.ranking.hpo


@pytest.fixture(scope="module")
def client(hpo_build_dir: Path) -> Iterator[httpx.Client]:
    with live_server(Settings(build_dir=hpo_build_dir.parent)) as url, httpx.Client(base_url=url) as c:
        yield c


def post(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/differential", json=body, timeout=30)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    DifferentialResponse.model_validate(data)
    return data


def candidate(data: dict[str, Any], disease: str) -> dict[str, Any]:
    found = [c for c in data["candidates"] if c["id"] == disease]
    assert found, f"{disease} is not among {[c['id'] for c in data['candidates']]}"
    return found[0]


def log_frequency(hpo: HpoIndex, disease: str, term: str) -> float:
    """ln f(term, disease) as hpo_rank.py defines it: the largest frequency stated for the term or a more
    specific form in the disease (the served `unknown_frequency` when none is stated), floored."""
    w = weights().hpo
    stated = [
        r.frequency
        for form, rows in hpo.positive[disease].items()
        if term in hpo.ancestors(form)
        for r in rows
        if r.frequency is not None
    ]
    return math.log(max(max(stated, default=w.unknown_frequency), w.frequency_floor))


def specific_terms(hpo: HpoIndex, disease: str, count: int) -> list[str]:
    """The disease's `count` most specific annotated terms (highest information content)."""
    terms = sorted(hpo.positive[disease], key=lambda t: (-hpo.ic[t], t))
    return terms[:count]


def test_a_disease_ranks_first_for_its_own_specific_terms(client: httpx.Client, hpo: HpoIndex) -> None:
    terms = specific_terms(hpo, DISEASE, 4)
    data = post(client, {"present": terms, "scope": "hpo"})
    assert data["scope"] == "hpo"
    assert data["candidates"][0]["id"] == DISEASE
    first = data["candidates"][0]
    assert first["graph"] == "hpo" and first["urgency"] is None
    assert {m["id"] for m in first["matched"]} == set(terms)
    assert all(m["route"] == "hpo_exact" for m in first["matched"])
    divisor = len(hpo.positive[DISEASE]) ** weights().hpo.size_exponent
    expected = sum(hpo.ic[t] + log_frequency(hpo, DISEASE, t) for t in terms) / divisor
    assert first["score"] == pytest.approx(expected, abs=1e-3)
    assert "not a diagnosis" in data["disclaimer"]
    scores = [c["score"] for c in data["candidates"]]
    assert scores == sorted(scores, reverse=True)
    assert len(data["candidates"]) <= weights().hpo.candidates


def test_each_path_carries_the_phenotype_hpoa_row_it_rests_on(client: httpx.Client, hpo: HpoIndex) -> None:
    terms = specific_terms(hpo, DISEASE, 3)
    first = candidate(post(client, {"present": terms, "scope": "hpo", "verbose": True}), DISEASE)
    assert len(first["paths"]) == len(terms)
    for path in first["paths"]:
        edge = path["edges"][-1]
        assert edge["predicate"] == "presents_with" and edge["from"] == DISEASE
        provenance = edge["provenance"]
        assert provenance["section"] == "phenotype.hpoa"
        assert provenance["source"].startswith("source/phenotype-hpoa-")
        columns = hpoa_line(provenance["paragraph"])
        assert columns[0] == DISEASE and columns[3] == edge["to"]
        assert provenance["evidence"] == columns[5]
        assert provenance["references"] == sorted(set(columns[4].split(";")))
        assert path["nodes"][0]["id"] == path["edges"][0]["to"] or path["route"] == "hpo_exact"
        assert path["nodes"][-1] == {"id": DISEASE, "label": hpo.disease_labels[DISEASE], "type": "cause"}


def _more_specific_case(hpo: HpoIndex) -> tuple[str, str]:
    """A parent of one of DISEASE's annotated terms that DISEASE is not annotated with itself."""
    for term in sorted(hpo.positive[DISEASE]):
        for parent in hpo.parents.get(term, ()):
            if parent not in hpo.positive[DISEASE]:
                return parent, term
    raise AssertionError("no case in the slice")


def test_a_reported_term_matches_a_more_specific_annotation_in_full(
    client: httpx.Client, hpo: HpoIndex
) -> None:
    reported, annotated = _more_specific_case(hpo)
    body = {"present": [reported], "scope": "hpo", "limit": 200, "verbose": True}
    found = candidate(post(client, body), DISEASE)
    (match,) = found["matched"]
    assert match["route"] == "hpo_more_specific"
    divisor = len(hpo.positive[DISEASE]) ** weights().hpo.size_exponent
    expected = (hpo.ic[reported] + log_frequency(hpo, DISEASE, reported)) / divisor
    assert match["weight"] == pytest.approx(expected, abs=1e-3)
    assert found["score"] == pytest.approx(match["weight"], abs=1e-3)  # on the score's own scale
    (path,) = found["paths"]
    ids = [node["id"] for node in path["nodes"]]
    assert ids[0] == reported and ids[-1] == DISEASE
    assert path["edges"][0]["predicate"] == "is_a"
    assert path["edges"][-1]["to"] in hpo.positive[DISEASE]
    assert reported in hpo.ancestors(path["edges"][-1]["to"])


def _children(hpo: HpoIndex) -> dict[str, list[str]]:
    """Each term's children in the release's hierarchy."""
    children: dict[str, list[str]] = {}
    for term, parents in hpo.parents.items():
        for parent in parents:
            children.setdefault(parent, []).append(term)
    return children


def _more_general_case(hpo: HpoIndex) -> tuple[str, str]:
    """A child of one of DISEASE's annotated terms, with nothing of DISEASE at or below it."""
    children = _children(hpo)
    annotated = hpo.positive[DISEASE]
    for term in sorted(annotated):
        for child in sorted(children.get(term, ())):
            if not any(child in hpo.ancestors(a) for a in annotated):
                return child, term
    raise AssertionError("no case in the slice")


def test_a_more_general_or_related_annotation_counts_at_the_documented_discount(
    served: Served, hpo: HpoIndex
) -> None:
    # The served cost of an unexplained term outweighs the small ICs of the slice's general terms, so
    # the routes are shown with no such cost (the formula is the same).
    w = weights().hpo.model_copy(update={"unexplained": 0.0})
    divisor = len(hpo.positive[DISEASE]) ** w.size_exponent
    reported, annotated = _more_general_case(hpo)
    (match,) = hpo.explain(DISEASE, 0.0, [reported], [], w).matched
    # The best ancestor route: the annotated parent itself, or another ancestor's form that weighs more.
    assert match.route in ("more_general", "related") and match.via in hpo.ancestors(reported)
    assert (match.route == "more_general") == (match.annotated == match.via)
    expected = w.ancestor_discount * hpo.ic[match.via] + log_frequency(hpo, DISEASE, match.via)
    assert match.weight == pytest.approx(expected / divisor)
    assert (
        match.weight
        >= (w.ancestor_discount * hpo.ic[annotated] + log_frequency(hpo, DISEASE, annotated)) / divisor
    )
    path = _as_json(served.views._hpo_path(hpo, DISEASE, match, True, _Tables()))
    ids = [node["id"] for node in path["nodes"]]
    assert ids[0] == reported and match.via in ids and ids[-2:] == [match.annotated, DISEASE]
    assert all(e["predicate"] == "is_a" for e in path["edges"][:-1])
    # A sibling form: a child of the reported term's parent that the disease has.
    sibling = _related_case(hpo)
    (related,) = hpo.explain(DISEASE, 0.0, [sibling], [], w).matched
    assert related.route == "related" and related.via in hpo.ancestors(sibling)
    path = _as_json(served.views._hpo_path(hpo, DISEASE, related, True, _Tables()))
    ids = [node["id"] for node in path["nodes"]]
    assert ids[0] == sibling and related.via in ids and ids[-2:] == [related.annotated, DISEASE]
    assert related.via in hpo.ancestors(related.annotated)


def _related_case(hpo: HpoIndex) -> str:
    """A term that is neither an ancestor nor a descendant of DISEASE's annotations but shares a parent
    with one of them."""
    children = _children(hpo)
    annotated = hpo.positive[DISEASE]
    above = frozenset().union(*(hpo.ancestors(a) for a in annotated))
    for term in sorted(annotated):
        for parent in hpo.parents.get(term, ()):
            for sibling in sorted(children.get(parent, ())):
                if sibling not in above and not (hpo.ancestors(sibling) & annotated.keys()):
                    return sibling
    raise AssertionError("no case in the slice")


def test_a_not_annotation_and_an_absent_term_count_against(hpo: HpoIndex) -> None:
    w = weights().hpo
    negated = sorted((d, t) for d, terms in hpo.negative.items() for t in terms)
    assert negated, "the slice has NOT rows (conftest)"
    disease, term = negated[0]
    support = specific_terms(hpo, disease, 2)
    position = hpo.position[disease]
    divisor = len(hpo.positive[disease]) ** w.size_exponent
    explained = hpo.explain(disease, 0.0, [*support, term], (), w)
    not_rows = [
        weight for t, reason, weight in explained.against if t == term and reason.startswith("annotated NOT")
    ]
    assert not_rows == [pytest.approx(-w.not_annotated * hpo.ic[term] / divisor)]
    absent = support[1]
    frequency = math.exp(log_frequency(hpo, disease, absent))
    cost = w.absent_annotated * math.log(max(1 - frequency, w.frequency_floor)) / divisor
    base = hpo.scores(support[:1], (), w)[0][position]
    assert hpo.scores(support[:1], [absent], w)[0][position] == pytest.approx(base + cost)
    assert cost < 0


def test_scope_hpo_still_raises_the_curated_red_flag(client: httpx.Client) -> None:
    body = {
        "present": ["HP:0007340", "saddle-anesthesia", "urinary-retention", "severe-back-pain"],
        "scope": "hpo",
    }
    data = post(client, body)
    assert "clinkg:rf-cauda-equina-syndrome" in [flag["id"] for flag in data["red_flags"]]
    assert data["triage"]["level"] == "emergency"
    assert all(c["graph"] == "hpo" for c in data["candidates"])
    assert data["candidates"], "HP:0007340 and urinary retention rank HPO diseases"


def test_scope_all_lists_curated_candidates_then_hpo_ones(client: httpx.Client) -> None:
    data = post(client, {"present": ["leg-weakness", "difficulty-walking"], "scope": "all", "limit": 5})
    graphs = [c["graph"] for c in data["candidates"]]
    assert "curated" in graphs and "hpo" in graphs
    assert graphs == sorted(graphs, key=lambda g: g != "curated")
    assert graphs.count("hpo") == 5
    assert data["tests"], "the curated part recommends tests"
    curated = post(client, {"present": ["leg-weakness", "difficulty-walking"], "limit": 5})
    assert [c["id"] for c in data["candidates"] if c["graph"] == "curated"] == [
        c["id"] for c in curated["candidates"]
    ]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"present": ["HP:9999999"], "scope": "hpo"}, "HP:9999999"),
        ({"present": ["stumbling"], "scope": "hpo"}, "at least one HP term"),
        ({"present": ["HP:0007340"], "scope": "everything"}, "scope"),
        ({"present": ["HP:0007340"], "scope": "hpo", "limit": 0}, "limit"),
    ],
)
def test_bad_hpo_requests_are_422_naming_the_problem(
    client: httpx.Client, body: dict[str, Any], words: str
) -> None:
    response = client.post("/v1/differential", json=body)
    assert response.status_code == 422
    assert words in response.text


def test_scope_hpo_without_an_hpo_graph_says_what_is_missing(http: httpx.Client) -> None:
    response = http.post("/v1/differential", json={"present": ["HP:0007340"], "scope": "hpo"})
    assert response.status_code == 422
    assert "clinkg import hpo" in response.json()["detail"]


def test_the_index_snapshot_is_reused_and_a_damaged_one_ignored(hpo_build_dir: Path, hpo: HpoIndex) -> None:
    snapshot = hpo_build_dir / "hpo_index.json"
    assert snapshot.is_file(), "the first load keeps the rows beside the store"
    backend = OxigraphBackend.open(hpo_build_dir / "store")
    again = HpoIndex.load(backend, snapshot)
    assert again is not None and again.ic == hpo.ic and again.positive == hpo.positive
    original = snapshot.read_bytes()
    try:
        snapshot.write_bytes(original[: len(original) // 2])
        rebuilt = HpoIndex.load(backend, snapshot)
        assert rebuilt is not None and rebuilt.positive == hpo.positive
        assert snapshot.read_bytes() == original, "a damaged snapshot is rewritten from the store"
    finally:
        snapshot.write_bytes(original)


def test_the_hpo_differential_is_the_same_through_falkordb(served: Served, hpo_falkordb_graph: Any) -> None:
    cypher = serve(falkordb_backend(hpo_falkordb_graph))
    ours, theirs = served.ranking.hpo, cypher.ranking.hpo
    assert ours is not None and theirs is not None
    assert theirs.positive == ours.positive and theirs.negative == ours.negative
    for body in (
        {"present": specific_terms(ours, DISEASE, 3), "scope": "hpo"},
        {"present": ["HP:0007340", "saddle-anesthesia", "urinary-retention"], "scope": "all", "limit": 30},
    ):
        request = DifferentialRequest.model_validate(body)
        assert orjson.dumps(answer_json(request, cypher)) == orjson.dumps(answer_json(request, served))


def test_a_compact_hpo_answer_names_each_row_once(client: httpx.Client, hpo: HpoIndex) -> None:
    terms = specific_terms(hpo, DISEASE, 3)
    data = post(client, {"present": terms, "scope": "hpo"})
    first = candidate(data, DISEASE)
    for path in first["paths"]:
        *chain, row = path["edges"]
        assert row.startswith("hpoa:") and all(step.startswith("is_a:") for step in chain)
        assert data["edges"][row]["provenance"]["section"] == "phenotype.hpoa"
        assert all(node in data["nodes"] for node in path["nodes"])


def test_namespaces_keep_the_diseases_of_the_sources_asked_for(client: httpx.Client, hpo: HpoIndex) -> None:
    terms = specific_terms(hpo, DISEASE, 3) + specific_terms(hpo, "ORPHA:1401", 1)
    body = {"present": terms, "scope": "hpo", "limit": 50}
    everything = [c["id"] for c in post(client, body)["candidates"]]
    assert {"OMIM", "ORPHA"} <= {d.partition(":")[0] for d in everything}
    omim = [c["id"] for c in post(client, {**body, "namespaces": ["OMIM"]})["candidates"]]
    assert omim and omim[0] == DISEASE and all(d.startswith("OMIM:") for d in omim)
    assert omim == [d for d in everything if d.startswith("OMIM:")][: len(omim)]
    orpha = [c["id"] for c in post(client, {**body, "namespaces": ["ORPHA"]})["candidates"]]
    assert orpha and all(d.startswith("ORPHA:") for d in orpha)
    response = client.post("/v1/differential", json={**body, "namespaces": ["MONDO"]})
    assert response.status_code == 422


def test_hp_terms_present_and_excluded_that_map_to_one_curated_finding_are_ranked(
    client: httpx.Client, hpo: HpoIndex
) -> None:
    # Skeletal muscle atrophy (the curated muscle wasting) present and a more specific form excluded, as
    # real phenopackets do: both resolve to the curated finding, which must not reject the request.
    general = "HP:0003202"
    child = min(t for t, parents in hpo.parents.items() if general in parents)
    body = {"present": [general], "absent": [child], "scope": "hpo"}
    assert client.post("/v1/differential", json=body).status_code == 200
    curated = client.post("/v1/differential", json={**body, "scope": "curated"})
    assert curated.status_code == 422 and "both present and absent" in curated.text


def test_one_disease_under_two_sources_takes_one_slot(client: httpx.Client, hpo: HpoIndex) -> None:
    omim, orpha = "OMIM:117650", "ORPHA:1393"  # the same name in phenotype.hpoa (conftest)
    assert hpo.same_disease[omim] == (orpha,)
    shared = sorted(set(hpo.positive[omim]) & set(hpo.positive[orpha]), key=lambda t: (-hpo.ic[t], t))
    data = post(client, {"present": shared[:5], "scope": "hpo", "limit": 50})
    ids = [c["id"] for c in data["candidates"]]
    assert (omim in ids) != (orpha in ids)  # never both: one slot
    slot = data["candidates"][ids.index(omim if omim in ids else orpha)]
    (twin,) = slot["same_disease"]
    assert twin["id"] == (orpha if slot["id"] == omim else omim)
    assert twin["score"] <= slot["score"] and "same disease name" in twin["reason"]
    assert [c["rank"] for c in data["candidates"]] == list(range(1, len(ids) + 1))


def test_items_the_hpo_ranking_cannot_use_are_listed_as_ignored(client: httpx.Client) -> None:
    # Older age is a curated finding with no HP code: the curated graph uses it, the HPO ranking cannot.
    data = post(client, {"present": ["HP:0007340", "clinkg:older-age"], "scope": "hpo"})
    assert [i["ref"] for i in data["ignored"]] == ["clinkg:older-age"]
    assert "no HP code" in data["ignored"][0]["reason"]
    assert "ignored" not in post(client, {"present": ["HP:0007340"], "scope": "hpo"})
