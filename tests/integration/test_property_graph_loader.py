"""The property-graph loader, executed for real on a FalkorDB server process."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from falkordb import FalkorDB

from clinkg.loaders.content import Content, load_content
from clinkg.loaders.neo4j import data_statements, load_falkordb, node_rows, relationship_rows, release_id

pytestmark = pytest.mark.integration


def rows(graph: Any, query: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
    return list(graph.query(query, params or {}).result_set)


def test_every_entity_and_edge_is_loaded(falkordb_graph: Any, curated: Content) -> None:
    entities = sum(1 for _ in curated.entities()) + len(curated.sources)
    edges = sum(1 for _ in curated.edges())
    assert rows(falkordb_graph, "MATCH (n:Entity) RETURN count(n)") == [[entities]]
    assert rows(falkordb_graph, "MATCH (:Entity)-[r]->(:Entity) RETURN count(r)") == [[edges]]
    by_type = Counter(r.type for r in relationship_rows(curated))
    for rel_type, count in by_type.items():
        assert rows(falkordb_graph, f"MATCH ()-[r:{rel_type}]->() RETURN count(r)") == [[count]], rel_type


def test_labels_and_properties_follow_the_mapping(falkordb_graph: Any) -> None:
    ((labels, props),) = rows(
        falkordb_graph, "MATCH (n:Entity {id: 'stroke'}) RETURN labels(n), properties(n)"
    )
    assert set(labels) == {"Entity", "Cause", "Condition"}
    assert props["curie"] == "clinkg:stroke" and props["urgency"] == "emergency"
    assert props["citation_paragraphs"] and len(props["citation_sections"]) == len(
        props["citation_statements"]
    )
    ((flag,),) = rows(falkordb_graph, "MATCH (n:RedFlag {id: 'rf-sudden-leg-weakness'}) RETURN n.when_onset")
    assert flag == ["sudden"]
    ((xrefs,),) = rows(falkordb_graph, "MATCH (n:Finding {id: 'leg-weakness'}) RETURN n.xrefs")
    assert "HP:0007340" in xrefs


def test_relationships_carry_provenance_and_qualifiers(falkordb_graph: Any) -> None:
    ((props,),) = rows(
        falkordb_graph,
        "MATCH (:Cause {id: 'stroke'})-[r:PRESENTS_WITH]->(:Finding {id: 'leg-weakness'}) RETURN properties(r)",
    )
    assert props["onset"] == "sudden" and props["source"] == "leg-weakness-article"
    assert props["section"] and props["paragraph"] >= 1 and props["statement"]
    groups = rows(
        falkordb_graph,
        "MATCH (:RedFlag {id: 'rf-cauda-equina-syndrome'})-[r:HAS_CRITERION]->(f) "
        "RETURN r.criterion_group, count(f) ORDER BY r.criterion_group",
    )
    assert dict((g, n) for g, n in groups)["all_of"] == 2


def test_loading_twice_gives_the_same_graph(falkordb_port: int, curated: Content) -> None:
    graph = FalkorDB(host="127.0.0.1", port=falkordb_port).select_graph("twice")
    snapshot = "MATCH (n) OPTIONAL MATCH (n)-[r]->(m) RETURN n.id, labels(n), type(r), m.id, properties(r) ORDER BY n.id, type(r), m.id"
    load_falkordb(graph, curated)
    first = rows(graph, snapshot)
    load_falkordb(graph, curated)
    assert rows(graph, snapshot) == first


def test_a_new_release_removes_what_the_content_no_longer_has(falkordb_port: int, minimal_dir: Any) -> None:
    graph = FalkorDB(host="127.0.0.1", port=falkordb_port).select_graph("stale")
    load_falkordb(graph, load_content(minimal_dir))
    assert rows(graph, "MATCH (n:Entity {id: 'fatigue'}) RETURN count(n)") == [[1]]
    relations = minimal_dir / "relations.yaml"
    text = relations.read_text()
    relations.write_text(
        text[: text.index("  - subject: fluid-loss")]
        + text[text.index("  - subject: dehydration\n    predicate: evaluated_by") :]
    )
    findings = minimal_dir / "findings.yaml"
    findings.write_text(findings.read_text().split("  - id: fatigue")[0])
    smaller = load_content(minimal_dir)
    load_falkordb(graph, smaller)
    assert rows(graph, "MATCH (n:Entity {id: 'fatigue'}) RETURN count(n)") == [[0]]
    assert rows(graph, "MATCH ()-[r:MANIFESTS_AS]->() RETURN count(r)") == [[0]]
    assert rows(graph, "MATCH (r:Release) RETURN r.release") == [[release_id(smaller)]]


def test_labels_and_types_come_from_the_mapping_not_from_input(curated: Content) -> None:
    for text, params in data_statements(curated):
        assert "{" not in text.replace("{id:", "").replace("{graph:", ""), text
        assert "rows" in params or "release" in params or params == {"graph": "curated"}
    assert {row.labels[1] for row in node_rows(curated)} == {
        "Source",
        "Cause",
        "Mechanism",
        "Finding",
        "DiagnosticTest",
        "RedFlag",
        "TriageAdvice",
    }
