"""The HPO graph as the entities and paths routes walk it (service/ranking/hpo_graph.py), on the real
curated graph and a small hand-made HPO index of real terms: a term's neighbours and disease counts, a
disease's rows, and paths between terms, diseases and curated entities, shortest first and bounded."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from clinkg.loaders.build import fill_store
from clinkg.loaders.content import load_content
from clinkg.service.ranking.graph_index import Edge, GraphIndex
from clinkg.service.ranking.hpo_graph import End, HpoGraph, HpoPath
from clinkg.service.ranking.hpo_rank import Annotation, HpoIndex
from clinkg.service.stores.oxigraph import OxigraphBackend

# Muscle weakness > limb muscle weakness > lower limb muscle weakness (cited by the curated leg-weakness)
# > distal lower limb muscle weakness; proximal lower limb muscle weakness is its sibling. Seizure apart.
LABELS = {
    "HP:0000118": "Phenotypic abnormality",
    "HP:0001324": "Muscle weakness",
    "HP:0003690": "Limb muscle weakness",
    "HP:0007340": "Lower limb muscle weakness",
    "HP:0009053": "Distal lower limb muscle weakness",
    "HP:0008994": "Proximal muscle weakness in lower limbs",
    "HP:0001250": "Seizure",
}
PARENTS: dict[str, tuple[str, ...]] = {
    "HP:0001324": ("HP:0000118",),
    "HP:0003690": ("HP:0001324",),
    "HP:0007340": ("HP:0003690",),
    "HP:0009053": ("HP:0007340",),
    "HP:0008994": ("HP:0007340",),
    "HP:0001250": ("HP:0000118",),
}
DISEASES = {"OMIM:620106": "Spastic paraplegia 88, autosomal dominant", "ORPHA:1401": "CHAND syndrome"}


def _row(disease: str, term: str, line: int, negated: bool = False) -> Annotation:
    return Annotation(disease, term, negated, "hpoa", line, "statement", "PCS", ("PMID:1",), None, None)


@pytest.fixture(scope="module")
def graph() -> HpoGraph:
    store = ox.Store()
    fill_store(store, load_content())
    index = GraphIndex.load(OxigraphBackend(store))
    rows = [
        _row("OMIM:620106", "HP:0008994", 10),
        _row("OMIM:620106", "HP:0008994", 11),  # a second row for the same term
        _row("ORPHA:1401", "HP:0001250", 20),
        _row("ORPHA:1401", "HP:0007340", 21, negated=True),
    ]
    return HpoGraph(HpoIndex(LABELS, PARENTS, DISEASES, rows), index)


def predicates(path: HpoPath) -> list[str]:
    return [step.predicate for step in path.steps]


def test_neighbours_counts_and_rows(graph: HpoGraph) -> None:
    assert graph.parents("HP:0009053") == ("HP:0007340",)
    assert graph.children("HP:0007340") == ("HP:0008994", "HP:0009053")
    assert graph.diseases_with("HP:0007340") == (0, 1)  # OMIM:620106 through its more specific term
    assert graph.diseases_with("HP:0008994") == (1, 1)
    assert graph.cited_by["HP:0007340"] == [("leg-weakness", "exact")]
    rows = graph.annotations("ORPHA:1401")
    assert [(r.term, r.negated) for r in rows] == [("HP:0001250", False), ("HP:0007340", True)]


def test_a_term_reaches_a_disease_through_the_sibling_it_is_annotated_with(graph: HpoGraph) -> None:
    found = graph.paths(End("hpo_term", "HP:0009053"), End("hpo_disease", "OMIM:620106"), 4, 10)
    assert [p.nodes for p in found] == [("HP:0009053", "HP:0007340", "HP:0008994", "OMIM:620106")] * 2
    assert predicates(found[0]) == ["is_a", "is_a", "presents_with"]
    assert [p.steps[-1].annotation.paragraph for p in found] == [10, 11]  # type: ignore[union-attr]
    assert graph.paths(End("hpo_term", "HP:0009053"), End("hpo_disease", "OMIM:620106"), 2, 10) == []


def test_paths_read_backwards_and_show_not_rows(graph: HpoGraph) -> None:
    found = graph.paths(End("hpo_disease", "ORPHA:1401"), End("hpo_term", "HP:0007340"), 1, 10)
    assert [p.nodes for p in found] == [("ORPHA:1401", "HP:0007340")]
    assert predicates(found[0]) == ["not_presents_with"]


def test_a_curated_entity_joins_through_its_codes(graph: HpoGraph) -> None:
    found = graph.paths(End("entity", "leg-weakness"), End("hpo_disease", "OMIM:620106"), 4, 10)
    assert found[0].nodes == ("leg-weakness", "HP:0007340", "HP:0008994", "OMIM:620106")
    assert predicates(found[0]) == ["exact_match", "is_a", "presents_with"]


def test_an_uncited_term_goes_on_through_the_curated_graph(graph: HpoGraph) -> None:
    term = End("hpo_term", "HP:0009053", stand_in="leg-weakness")
    found = graph.paths(term, End("entity", "stroke"), 3, 10)
    assert found[0].nodes == ("HP:0009053", "HP:0007340", "leg-weakness", "stroke")
    assert isinstance(found[0].steps[-1], Edge) and found[0].steps[-1].predicate == "presents_with"
    assert all(len(p.steps) <= 3 for p in found)
    assert graph.paths(End("entity", "stroke"), term, 3, 10) == [
        HpoPath(p.nodes[::-1], p.steps[::-1]) for p in found
    ]


def test_two_terms_meet_at_their_nearest_shared_ancestor(graph: HpoGraph) -> None:
    (found,) = graph.paths(End("hpo_term", "HP:0009053"), End("hpo_term", "HP:0001250"), 6, 10)
    assert found.nodes == (
        "HP:0009053", "HP:0007340", "HP:0003690", "HP:0001324", "HP:0000118", "HP:0001250",
    )  # fmt: skip


def test_nothing_between_two_diseases_and_limits_hold(graph: HpoGraph) -> None:
    assert graph.paths(End("hpo_disease", "OMIM:620106"), End("hpo_disease", "ORPHA:1401"), 6, 10) == []
    assert len(graph.paths(End("hpo_term", "HP:0001324"), End("hpo_disease", "OMIM:620106"), 6, 1)) == 1
