"""The HPO import on a slice of the shipped files: the first 3,000 rows of phenotype.hpoa plus every row of
a few chosen diseases, into a release (Oxigraph) and into FalkorDB, counted against the file itself."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from clinkg.loaders.build import BuildResult
from clinkg.loaders.hpo.read import data_file
from clinkg.ontology import CURATED_GRAPH, HPO_GRAPH

from .conftest import HPO_DISEASES, HPO_LIMIT

pytestmark = pytest.mark.integration

LIMIT, DISEASES = HPO_LIMIT, HPO_DISEASES
PREFIXES = """
PREFIX ckg: <https://w3id.org/clinkg/ontology#>
PREFIX clinkg: <https://w3id.org/clinkg/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX hp: <http://purl.obolibrary.org/obo/HP_>
"""


@dataclass(frozen=True)
class Expected:
    """What the selected rows of the file hold, read here without the importer."""

    rows: int
    annotations: int
    negated: int
    diseases: int
    lines: dict[tuple[str, str, bool], list[int]]


def read_expected() -> Expected:
    lines: dict[tuple[str, str, bool], list[int]] = {}
    rows = annotations = negated = 0
    diseases: set[str] = set()
    with data_file("phenotype.hpoa").open(encoding="utf-8") as handle:
        numbered = ((n, line) for n, line in enumerate(handle, start=1) if not line.startswith("#"))
        next(numbered)  # the column header
        for n, record in ((n, line.rstrip("\n").split("\t")) for n, line in numbered):
            rows += 1
            if rows > LIMIT and record[0] not in DISEASES:
                continue
            if record[10] != "P":
                continue
            annotations += 1
            negated += record[2] == "NOT"
            diseases.add(record[0])
            lines.setdefault((record[0], record[3], record[2] == "NOT"), []).append(n)
    return Expected(rows, annotations, negated, len(diseases), lines)


@pytest.fixture(scope="module")
def expected() -> Expected:
    return read_expected()


@pytest.fixture(scope="module")
def imported(hpo_build_dir: Path) -> BuildResult:
    """The session's HPO slice release (conftest), as the importer described it."""
    manifest = json.loads((hpo_build_dir / "manifest.json").read_text(encoding="utf-8"))
    return BuildResult(release=hpo_build_dir.resolve(), manifest=manifest)


@pytest.fixture(scope="module")
def store(imported: BuildResult) -> Iterator[ox.Store]:
    yield ox.Store.read_only(str(imported.release / "store"))


def select(store: ox.Store, query: str, **values: ox.NamedNode | ox.Literal) -> list[dict[str, Any]]:
    solutions = store.query(
        PREFIXES + query,
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): v for k, v in values.items()},
    )
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{name: (s[name].value if s[name] is not None else None) for name in names} for s in solutions]


def count(store: ox.Store, pattern: str) -> int:
    rows = select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{HPO_GRAPH}> {{ {pattern} }} }}")
    return int(rows[0]["n"])


def test_counts_match_the_rows_read(imported: BuildResult, store: ox.Store, expected: Expected) -> None:
    hpo = imported.manifest["hpo"]
    assert hpo["annotations"] == expected.annotations == count(store, "?a a ckg:Assertion")
    assert hpo["negated"] == expected.negated == count(store, "?a rdf:predicate ckg:notPresentsWith")
    assert expected.negated > 0
    assert hpo["diseases"] == expected.diseases == count(store, "?d a ckg:Condition")
    assert hpo["findings"] == count(store, "?t a ckg:Finding")
    pairs = len(expected.lines)
    edges = "?d ckg:presentsWith|ckg:notPresentsWith ?t"
    assert count(store, edges) == pairs  # one direct triple per disease, term and polarity
    assert hpo["triples"] == count(store, "?s ?p ?o")
    assert imported.manifest["triples_total"] == len(store)


def test_the_curated_finding_reaches_the_hpo_term_and_its_diseases(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?term ?label ?parent ?disease ?name WHERE {
             clinkg:leg-weakness skos:exactMatch ?term .
             ?term rdfs:label ?label ; ckg:isA ?parent .
             ?disease ckg:presentsWith ?term ; rdfs:label ?name .
           }""",
    )
    assert {r["term"] for r in rows} == {"http://purl.obolibrary.org/obo/HP_0007340"}
    assert {r["label"] for r in rows} == {"Lower limb muscle weakness"}
    assert "https://w3id.org/clinkg/id/OMIM:620106" in {r["disease"] for r in rows}
    assert "http://purl.obolibrary.org/obo/HP_0003690" in {r["parent"] for r in rows}


def test_an_assertion_carries_its_provenance_and_qualifiers(store: ox.Store, expected: Expected) -> None:
    rows = select(
        store,
        """SELECT ?source ?title ?version ?section ?paragraph ?statement ?evidence ?reference ?frequency ?value
           WHERE {
             ?a rdf:subject clinkg:OMIM:620106 ; rdf:predicate ckg:presentsWith ; rdf:object hp:0007340 ;
                ckg:source ?source ; ckg:section ?section ; ckg:paragraph ?paragraph ;
                ckg:statement ?statement ; ckg:evidence ?evidence ; ckg:reference ?reference ;
                ckg:frequency ?frequency ; ckg:frequencyValue ?value .
             ?source a ckg:Source ; ckg:title ?title ; ckg:version ?version .
           }""",
    )
    assert len(rows) == 1
    row = rows[0]
    assert [int(row["paragraph"])] == expected.lines[("OMIM:620106", "HP:0007340", False)]
    assert row["section"] == "phenotype.hpoa"
    assert row["source"].endswith(f"/source/phenotype-hpoa-{row['version']}")
    assert "phenotype.hpoa" in row["title"]
    assert row["statement"].startswith("OMIM:620106 Spastic paraplegia 88")
    assert "presents with Lower limb muscle weakness (HP:0007340), frequency 2/2" in row["statement"]
    assert (row["evidence"], row["reference"], row["frequency"]) == ("PCS", "PMID:34825409", "2/2")
    assert float(row["value"]) == 1.0


def test_not_rows_use_the_negated_predicate(store: ox.Store, expected: Expected) -> None:
    negated = sorted(n for (_, _, neg), lines in expected.lines.items() if neg for n in lines)
    rows = select(
        store,
        """SELECT ?paragraph ?s ?o WHERE {
             ?a rdf:predicate ckg:notPresentsWith ; ckg:paragraph ?paragraph ; rdf:subject ?s ; rdf:object ?o .
             ?s ckg:notPresentsWith ?o .
           } ORDER BY ?paragraph""",
    )
    assert [int(r["paragraph"]) for r in rows] == negated


def test_the_curated_graph_is_unchanged(store: ox.Store, build_dir: Path) -> None:
    curated = ox.Store.read_only(str(build_dir / "store"))

    def triples(s: ox.Store) -> set[str]:
        return {
            str(q.triple) for q in s.quads_for_pattern(None, None, None, ox.NamedNode(str(CURATED_GRAPH)))
        }

    assert triples(store) == triples(curated)
    assert len(triples(store)) > 1000


def test_falkordb_holds_the_same_counts(hpo_falkordb_graph: Any, store: ox.Store, expected: Expected) -> None:
    graph = hpo_falkordb_graph  # the HPO slice, then a curated (re)load on top (conftest)

    def cypher(query: str) -> int:
        return int(graph.query(query).result_set[0][0])

    assert cypher(
        "MATCH (t:Finding {graph: 'hpo'}) WHERE t.curie STARTS WITH 'HP:' RETURN count(t)"
    ) == count(store, "?t a ckg:Finding")
    assert cypher("MATCH (d:Condition {graph: 'hpo'}) RETURN count(d)") == expected.diseases
    assert (
        cypher("MATCH ()-[r:PRESENTS_WITH {section: 'phenotype.hpoa'}]->() RETURN count(r)")
        == expected.annotations - expected.negated
    )
    assert cypher("MATCH ()-[r:NOT_PRESENTS_WITH]->() RETURN count(r)") == expected.negated
    assert cypher("MATCH (:Finding)-[r:IS_A]->(:Finding) RETURN count(r)") == count(
        store, "?t a ckg:Finding ; ckg:isA ?p . ?p a ckg:Finding"
    )
    linked = graph.query(
        "MATCH (f:Finding {id: 'leg-weakness'}) MATCH (t:Finding) WHERE t.curie IN f.xrefs "
        "MATCH (d:Condition)-[r:PRESENTS_WITH]->(t) RETURN t.label, d.curie, r.paragraph, r.evidence"
    ).result_set
    line = expected.lines[("OMIM:620106", "HP:0007340", False)][0]
    assert ["Lower limb muscle weakness", "OMIM:620106", line, "PCS"] in linked
    assert cypher("MATCH (n:Finding {id: 'leg-weakness'}) RETURN count(n)") == 1  # curated nodes stay
    labels = graph.query("MATCH (d:Entity {curie: 'OMIM:620106'}) RETURN labels(d)").result_set[0][0]
    assert set(labels) == {"Entity", "Cause", "Condition"}


def test_the_cli_imports_a_limited_slice(tmp_path: Path) -> None:
    from clinkg.cli import app

    result = CliRunner().invoke(app, ["import", "hpo", "--out", str(tmp_path / "hpo"), "--limit", "40"])
    assert result.exit_code == 0, result.output
    assert "imported HPO" in result.output
    assert "SHACL: curated graph in full; HPO graph on a sample" in result.output
    assert (tmp_path / "hpo" / "current" / "hpo.nt").is_file()


HPO_QUERIES = ("hpo_terms", "hpo_diseases", "hpo_annotations", "hpo_synonyms")


def test_a_new_hpo_release_loads_beside_the_current_one_and_switches_at_once(falkordb_port: int) -> None:
    """A load too big for one transaction: readers keep the current release until the last statement
    switches them over; a load that fails half-way changes nothing they see; the old release goes after."""
    from falkordb import FalkorDB

    from clinkg.loaders.content import load_content
    from clinkg.loaders.hpo.graph import hpo_statements, load_hpo, load_hpo_falkordb
    from clinkg.loaders.neo4j import load_falkordb
    from clinkg.service.stores.cypher import falkordb_backend

    graph = FalkorDB(host="127.0.0.1", port=falkordb_port).select_graph("clinkg_hpo_switch")
    content = load_content()
    load_falkordb(graph, content)
    load_hpo_falkordb(graph, limit=300, release="old")
    backend = falkordb_backend(graph)
    before = {name: backend.run(name) for name in HPO_QUERIES}
    assert before["hpo_diseases"]

    def count(query: str) -> int:
        return int(graph.query(query).result_set[0][0])

    def first(text: str, parameters: Any) -> Any:
        rows = graph.query(text, dict(parameters)).result_set
        return rows[0][0] if rows else None

    total = sum(1 for _ in hpo_statements(limit=900, release="new"))
    ran = 0

    def dies_before_the_switch(text: str, parameters: Any) -> None:
        nonlocal ran
        ran += 1
        if ran == total:  # the last statement is the switch
            raise ConnectionError("the database went away")
        graph.query(text, dict(parameters))

    with pytest.raises(ConnectionError):
        load_hpo(dies_before_the_switch, first, limit=900, release="new")
    assert count("MATCH (n:Entity {graph: 'hpo', release: 'new'}) RETURN count(n)") > 0  # loaded beside
    assert {name: backend.run(name) for name in HPO_QUERIES} == before  # and unseen

    load_hpo_falkordb(graph, limit=900, release="new")
    after = {name: backend.run(name) for name in HPO_QUERIES}
    assert len(after["hpo_annotations"]) > len(before["hpo_annotations"])
    assert count("MATCH (n:Entity {graph: 'hpo'}) WHERE n.release <> 'new' RETURN count(n)") == 0
    assert count("MATCH ()-[r]->() WHERE r.graph = 'hpo' AND r.release <> 'new' RETURN count(r)") == 0
    curated_findings = len(content.findings)
    assert (
        count("MATCH (n:Finding {graph: 'curated'}) RETURN count(n)") == curated_findings
    )  # the curated graph stays

    sizes = (count("MATCH (n) RETURN count(n)"), count("MATCH ()-[r]->() RETURN count(r)"))
    load_hpo_falkordb(graph, limit=900, release="new")  # the same release again: the same graph
    assert (count("MATCH (n) RETURN count(n)"), count("MATCH ()-[r]->() RETURN count(r)")) == sizes
    assert {name: backend.run(name) for name in HPO_QUERIES} == after


def test_the_cli_loads_the_curated_graph_and_hpo_into_falkordb(falkordb_port: int) -> None:
    from falkordb import FalkorDB

    from clinkg.cli import app
    from clinkg.service.stores.cypher import falkordb_backend

    args = ["load", "falkordb", "--port", str(falkordb_port), "--graph", "clinkg_cli_hpo"]
    result = CliRunner().invoke(app, [*args, "--hpo", "--hpo-limit", "200"])
    assert result.exit_code == 0, result.output
    assert "loaded the curated graph and HPO" in " ".join(result.output.split())
    backend = falkordb_backend(FalkorDB(host="127.0.0.1", port=falkordb_port).select_graph("clinkg_cli_hpo"))
    diseases = {row["disease"] for row in backend.run("hpo_diseases")}
    with data_file("phenotype.hpoa").open(encoding="utf-8") as handle:
        rows = [line.split("\t") for line in handle if not line.startswith(("#", "database_id"))][:200]
    assert diseases <= {row[0] for row in rows} and diseases
    assert backend.run("entities"), "the curated graph is there too"
