"""Builds: reproducible, all or nothing, and the store holds what the artifacts hold."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from clinkg.loaders.build import build, current_release, is_up_to_date
from clinkg.loaders.content import load_content
from clinkg.loaders.errors import ContentError
from clinkg.loaders.export import kgx_tables
from clinkg.ontology import CURATED_GRAPH, ONTOLOGY_GRAPH

from ...conftest import Edit


def test_building_twice_gives_byte_identical_ntriples(minimal_dir: Path, tmp_path: Path) -> None:
    first = build(tmp_path / "a", minimal_dir)
    second = build(tmp_path / "b", minimal_dir)
    assert (first.release / "clinkg.nt").read_bytes() == (second.release / "clinkg.nt").read_bytes()
    assert first.manifest == second.manifest


def test_ntriples_are_sorted_and_parse(minimal_dir: Path, tmp_path: Path) -> None:
    result = build(tmp_path / "out", minimal_dir)
    lines = (result.release / "clinkg.nt").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    graph = Graph().parse(result.release / "clinkg.nt", format="nt")
    assert len(graph) == len(lines) == result.manifest["triples"]
    for name in ("clinkg.ttl", "clinkg.jsonld"):
        other = Graph().parse(result.release / name)
        assert len(other) == len(graph), name


def test_stable_names_point_at_the_current_release(minimal_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build(out, minimal_dir)
    assert current_release(out) == result.release.resolve()
    for name in ("clinkg.nt", "clinkg.ttl", "clinkg.jsonld", "manifest.json", "store"):
        assert (out / name).resolve() == (result.release / name).resolve()


def test_the_store_holds_the_curated_graph_and_the_ontology(minimal_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build(out, minimal_dir)
    store = ox.Store.read_only(str(out / "store"))
    counts = {
        str(row["g"].value): int(row["n"].value)
        for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    assert set(counts) == {str(CURATED_GRAPH), str(ONTOLOGY_GRAPH)}
    assert sum(counts.values()) == result.manifest["triples"]


def test_manifest_counts_classes_edges_and_codes(minimal_dir: Path, tmp_path: Path) -> None:
    result = build(tmp_path / "out", minimal_dir)
    manifest = json.loads((result.release / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["classes"]["Cause"] == 2
    assert manifest["edges"] == {
        "actsThrough": 1,
        "assesses": 1,
        "causes": 1,
        "evaluatedBy": 1,
        "hasCriterion": 1,
        "manifestsAs": 1,
        "presentsWith": 1,
        "raisesConcernFor": 1,
    }
    assert manifest["xrefs"] == {"HP": 3, "ICD10CM": 1}
    assert manifest["versions"]["hpo"].startswith("hp/releases/")
    assert len(manifest["content_hash"]) == 64


def test_a_failed_build_leaves_the_previous_release_untouched(
    minimal_dir: Path, tmp_path: Path, edit: Edit
) -> None:
    out = tmp_path / "out"
    good = build(out, minimal_dir)
    before = {p.name: p.read_bytes() for p in good.release.iterdir() if p.is_file()}
    edit("relations.yaml", "    object: fatigue\n", "    object: tiredness\n")
    with pytest.raises(ContentError):
        build(out, minimal_dir)
    assert current_release(out) == good.release.resolve()
    assert {p.name: p.read_bytes() for p in good.release.iterdir() if p.is_file()} == before
    assert [p.name for p in (out / "releases").iterdir()] == [good.release.name]


def test_a_new_build_replaces_the_current_one_and_keeps_the_previous(
    minimal_dir: Path, tmp_path: Path, edit: Edit
) -> None:
    out = tmp_path / "out"
    first = build(out, minimal_dir)
    edit("findings.yaml", "synonyms: [weak legs]", "synonyms: [weak legs, legs giving way]")
    second = build(out, minimal_dir)
    third = build(out, minimal_dir)
    assert current_release(out) == third.release.resolve()
    kept = {p.name for p in (out / "releases").iterdir()}
    assert kept == {second.release.name, third.release.name}
    assert first.release.name not in kept


def test_up_to_date_follows_the_content(minimal_dir: Path, tmp_path: Path, edit: Edit) -> None:
    out = tmp_path / "out"
    assert not is_up_to_date(out, minimal_dir)
    build(out, minimal_dir)
    assert is_up_to_date(out, minimal_dir)
    edit("findings.yaml", "synonyms: [weak legs]", "synonyms: [weak legs, legs giving way]")
    assert not is_up_to_date(out, minimal_dir)


def test_kgx_tables_carry_biolink_terms_and_provenance(minimal_dir: Path) -> None:
    nodes, edges = kgx_tables(load_content(minimal_dir))
    node_rows = [line.split("\t") for line in nodes.decode().splitlines()]
    edge_rows = [line.split("\t") for line in edges.decode().splitlines()]
    header = edge_rows[0]
    assert node_rows[0][:3] == ["id", "category", "name"]
    by_id = {row[0]: dict(zip(node_rows[0], row, strict=True)) for row in node_rows[1:]}
    assert by_id["clinkg:fatigue"]["category"] == "biolink:PhenotypicFeature"
    assert by_id["clinkg:fatigue"]["xref"] == "HP:0012378"
    assert by_id["clinkg:diuretics"]["category"] == "biolink:Drug"
    edges_by_id = {row[0]: dict(zip(header, row, strict=True)) for row in edge_rows[1:]}
    edge = edges_by_id["clinkg:assertion/diuretics/causes/dehydration"]
    assert edge["predicate"] == "biolink:causes"
    assert edge["primary_knowledge_source"] == "clinkg:test-source"
    assert (edge["source_section"], edge["source_paragraph"]) == ("Causes", "2")
    assert edge["statement"] == "Diuretic drugs can lead to dehydration."
    assert (
        edges_by_id["clinkg:assertion/dehydration/presents_with/leg-weakness"]["qualifiers"]
        == "course=temporary"
    )
