"""SHACL negatives: break one thing in a valid graph and the shapes must say so."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDFS, SKOS

from clinkg.loaders.content import load_content
from clinkg.loaders.rdf import assertion_iri, entity_iri, full_graph
from clinkg.loaders.shacl import validate_graph
from clinkg.ontology import CKG, HP


@pytest.fixture
def graph(minimal_dir: Path) -> Graph:
    return full_graph(load_content(minimal_dir))


def messages(graph: Graph) -> list[str]:
    return [str(v) for v in validate_graph(graph)]


def test_the_minimal_graph_conforms(graph: Graph) -> None:
    assert messages(graph) == []


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (CKG.source, "provenance needs exactly one source"),
        (CKG.section, "provenance needs exactly one section heading"),
        (CKG.paragraph, "provenance needs exactly one paragraph number"),
        (CKG.statement, "provenance needs exactly one non-empty statement"),
    ],
)
def test_dropping_a_provenance_field_makes_the_graph_invalid(
    graph: Graph, field: object, expected: str
) -> None:
    node = assertion_iri("diuretics", "causes", "dehydration")
    graph.remove((node, field, None))  # type: ignore[arg-type]
    found = messages(graph)
    assert any(expected in m and "assertion/diuretics/causes/dehydration" in m for m in found), found


def test_an_edge_without_its_assertion_is_invalid(graph: Graph) -> None:
    node = assertion_iri("dehydration", "acts_through", "fluid-loss")
    graph.remove((node, None, None))
    assert any(
        "an edge has no assertion with complete provenance" in m and "dehydration" in m
        for m in messages(graph)
    )


def test_an_assertion_without_its_edge_is_invalid(graph: Graph) -> None:
    graph.remove((entity_iri("dehydration"), CKG.actsThrough, entity_iri("fluid-loss")))
    assert any("the edge this assertion describes is missing" in m for m in messages(graph))


def test_a_cause_that_reaches_no_test_is_invalid(graph: Graph) -> None:
    graph.remove((entity_iri("dehydration"), CKG.evaluatedBy, None))
    graph.remove((assertion_iri("dehydration", "evaluated_by", "medical-history"), None, None))
    found = messages(graph)
    assert any("clinkg:dehydration" in m and "reach at least one diagnostic test" in m for m in found)
    assert any("clinkg:diuretics" in m and "reach at least one diagnostic test" in m for m in found)


def test_a_cause_that_reaches_no_finding_is_invalid(graph: Graph) -> None:
    for predicate, obj in (("presents_with", "leg-weakness"), ("acts_through", "fluid-loss")):
        p = CKG.presentsWith if predicate == "presents_with" else CKG.actsThrough
        graph.remove((entity_iri("dehydration"), p, entity_iri(obj)))
        graph.remove((assertion_iri("dehydration", predicate, obj), None, None))
    assert any("clinkg:dehydration" in m and "reach at least one finding" in m for m in messages(graph))


def test_a_red_flag_without_action_is_invalid(graph: Graph) -> None:
    graph.remove((entity_iri("rf-sudden-weakness"), CKG.action, None))
    assert any("a red flag needs exactly one action" in m for m in messages(graph))


def test_a_red_flag_without_urgency_is_invalid(graph: Graph) -> None:
    graph.remove((entity_iri("rf-sudden-weakness"), CKG.urgency, None))
    assert any("a red flag needs exactly one urgency" in m for m in messages(graph))


def test_a_red_flag_without_criteria_is_invalid(graph: Graph) -> None:
    graph.remove((entity_iri("rf-sudden-weakness"), CKG.hasCriterion, None))
    graph.remove((assertion_iri("rf-sudden-weakness", "has_criterion", "leg-weakness"), None, None))
    assert any("a red flag needs at least one criterion finding" in m for m in messages(graph))


def test_labels_are_unique_within_a_type(graph: Graph) -> None:
    graph.set((entity_iri("fatigue"), RDFS.label, Literal("leg weakness")))
    found = messages(graph)
    assert any("is used by another entity of the same type" in m for m in found), found


def test_a_malformed_cross_reference_is_invalid(graph: Graph) -> None:
    graph.add((entity_iri("fatigue"), SKOS.exactMatch, HP["12378"]))
    assert any("cross-reference must be an HPO" in m for m in messages(graph))


def test_a_finding_cross_referenced_to_icd_is_invalid(graph: Graph) -> None:
    from clinkg.ontology import ICD10CM

    graph.add((entity_iri("fatigue"), SKOS.exactMatch, ICD10CM["R53.83"]))
    assert any("a finding's cross-reference must be an HPO term" in m for m in messages(graph))


def test_an_entity_without_citation_is_invalid(graph: Graph) -> None:
    graph.remove((entity_iri("fluid-loss"), CKG.supportedBy, None))
    assert any("supported by at least one citation" in m for m in messages(graph))


def test_an_edge_to_the_wrong_kind_of_node_is_invalid(graph: Graph) -> None:
    graph.add((entity_iri("dehydration"), CKG.manifestsAs, entity_iri("fatigue")))
    assert "clinkg:dehydration: Value does not have class ckg:Mechanism" in messages(graph)
