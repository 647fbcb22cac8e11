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
from clinkg.loaders.hpo import data_file
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

    assert cypher("MATCH (t:Finding) WHERE t.id STARTS WITH 'HP:' RETURN count(t)") == count(
        store, "?t a ckg:Finding"
    )
    assert cypher("MATCH (d:Condition) WHERE d.id CONTAINS ':' RETURN count(d)") == expected.diseases
    assert (
        cypher("MATCH ()-[r:PRESENTS_WITH {section: 'phenotype.hpoa'}]->() RETURN count(r)")
        == expected.annotations - expected.negated
    )
    assert cypher("MATCH ()-[r:NOT_PRESENTS_WITH]->() RETURN count(r)") == expected.negated
    assert cypher("MATCH (:Finding)-[r:IS_A]->(:Finding) RETURN count(r)") == count(
        store, "?t a ckg:Finding ; ckg:isA ?p . ?p a ckg:Finding"
    )
    linked = graph.query(
        "MATCH (f:Finding {id: 'leg-weakness'}) MATCH (t:Finding) WHERE t.id IN f.xrefs "
        "MATCH (d:Condition)-[r:PRESENTS_WITH]->(t) RETURN t.label, d.id, r.paragraph, r.evidence"
    ).result_set
    line = expected.lines[("OMIM:620106", "HP:0007340", False)][0]
    assert ["Lower limb muscle weakness", "OMIM:620106", line, "PCS"] in linked
    assert cypher("MATCH (n:Finding {id: 'leg-weakness'}) RETURN count(n)") == 1  # curated nodes stay
    labels = graph.query("MATCH (d:Entity {id: 'OMIM:620106'}) RETURN labels(d)").result_set[0][0]
    assert set(labels) == {"Entity", "Cause", "Condition"}


def test_the_cli_imports_a_limited_slice(tmp_path: Path) -> None:
    from clinkg.service.cli import app

    result = CliRunner().invoke(app, ["import", "hpo", "--out", str(tmp_path / "hpo"), "--limit", "40"])
    assert result.exit_code == 0, result.output
    assert "imported HPO" in result.output
    assert "SHACL: curated graph in full; HPO graph on a sample" in result.output
    assert (tmp_path / "hpo" / "current" / "hpo.nt").is_file()
