"""The Cypher query library: every file linted by Neo4j's own front end, headers that match the SPARQL
twins, and one parity test per query pair (the SPARQL file on Oxigraph against its Cypher twin on
FalkorDB, both on the curated content).

Values are compared in property-graph names (ontology/PROPERTY_GRAPH.md): a SPARQL IRI of our namespace
becomes the entity id, an ontology class or property IRI its label or relationship type from
mapping.tsv, an HPO or ICD-10-CM IRI its CURIE; other values stay as they are (integers as int). On the
Cypher side a boolean becomes its xsd:boolean lexical form ("true" / "false"), which is what the
Oxigraph backend returns for a boolean literal.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from rdflib.namespace import OWL, RDF

from clinkg import ontology, queries
from clinkg.loaders import neo4j as loader
from clinkg.service.stores.oxigraph import OxigraphBackend

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tests" / "tools"
CYPHER_FILES = sorted((REPO / "queries" / "cypher").glob("*.cypher"))
LOADER_FILES = sorted((REPO / "loaders" / "cypher").glob("*.cypher"))
HEADER_KEYS = ("question", "parameters", "returns", "example")
SPARQL_NAMES = queries.names("sparql")
CYPHER_NAMES = queries.names("cypher")

_UNDEFINED_PARAMETER = re.compile(r"^Parameter \$\w+ is not defined\.$")
_CURIE_PREFIXES = {"clinkg": str(ontology.ID), "ckg": str(ontology.CKG)}
# The ORDER BY terms that differ by design: SPARQL orders citations by their IRI, Cypher by their position.
_ORDER_EQUIVALENTS = {("entity_citations", "citation"): "i"}


# ---------------------------------------------------------------- headers and names


def cypher(name: str) -> queries.Query:
    """The Cypher query NAME with its `//` header parsed."""
    return queries.load(name, "cypher")


def is_browser(name: str) -> bool:
    return cypher(name).header.get("browser") == "true"


def skip_if_neo4j_only(name: str) -> None:
    """Skip a query that says it needs a Neo4j-only feature (FalkorDB cannot run it)."""
    reason = cypher(name).header.get("neo4j-only")
    if reason:
        pytest.skip(f"{name} is neo4j-only: {reason}")


def declared_columns(query: queries.Query) -> list[str]:
    """The column names of the header's `returns`, without their explanations in parentheses."""
    plain = re.sub(r"\([^)]*\)", "", query.header["returns"])
    return [part.strip() for part in plain.split(",") if part.strip()]


def body(query: queries.Query) -> str:
    """The query text without its comment lines."""
    comment = "#" if query.language == "sparql" else "//"
    return "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith(comment))


def order_by(query: queries.Query) -> list[str]:
    """The terms of the final ORDER BY, as plain names."""
    clauses = re.findall(r"\bORDER BY\b(.*?)(?=\bLIMIT\b|\Z)", body(query), re.S)
    assert clauses, f"{query.name} ({query.language}) has no ORDER BY"
    if query.language == "sparql":
        return re.findall(r"\?(\w+)", clauses[-1])
    return [term.strip().strip("`") for term in clauses[-1].split(",")]


@cache
def property_graph_names() -> dict[str, str]:
    """Ontology class and property IRIs -> their labels and relationship types (mapping.tsv)."""
    return {str(row.rdf): row.neo4j for row in ontology.names() if row.role in ("class", "relation")}


def property_graph_name(curie: str) -> str:
    """The Cypher form of a header CURIE: `clinkg:x` -> `x`, `ckg:presentsWith` -> `PRESENTS_WITH`."""
    prefix, local = curie.split(":", 1)
    if prefix == "clinkg":
        return local
    return property_graph_names()[_CURIE_PREFIXES[prefix] + local]


def example(query: queries.Query) -> dict[str, str]:
    """The header's example bindings (`name = value; ...`), as written; {} when it takes no parameters."""
    if not query.parameters:
        return {}
    bindings = {}
    for part in query.header["example"].split(";"):
        name, _, value = part.partition("=")
        assert value.strip(), f"{query.name}: example part {part!r} is not `name = value`"
        bindings[name.strip()] = value.strip()
    return bindings


def sparql_example(name: str) -> dict[str, str]:
    """The SPARQL example as IRIs."""
    bindings = {}
    for key, curie in example(queries.load(name, "sparql")).items():
        prefix, local = curie.split(":", 1)
        bindings[key] = _CURIE_PREFIXES[prefix] + local
    return bindings


def cypher_example(name: str) -> dict[str, str]:
    """The SPARQL example in property-graph names: what the Cypher twin is run with."""
    return {k: property_graph_name(v) for k, v in example(queries.load(name, "sparql")).items()}


# ---------------------------------------------------------------- normalisation


def from_sparql(value: Any) -> Any:
    """A value of an Oxigraph row in property-graph terms (see the module docstring)."""
    if not isinstance(value, str):
        return value
    if value.startswith(str(ontology.ID)):
        return value.removeprefix(str(ontology.ID))
    if value in property_graph_names():
        return property_graph_names()[value]
    for prefix, namespace in ontology.XREF_NAMESPACES.items():
        if value.startswith(str(namespace)):
            return f"{prefix}:{value.removeprefix(str(namespace))}"
    return value


def from_cypher(value: Any) -> Any:
    """A value of a FalkorDB row: booleans as their xsd:boolean lexical form, the rest as it is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def sparql_rows(backend: OxigraphBackend, name: str, parameters: Mapping[str, str]) -> list[tuple[Any, ...]]:
    columns = declared_columns(queries.load(name, "sparql"))
    rows = backend.run(name, parameters)
    return [tuple(from_sparql(row.get(column)) for column in columns) for row in rows]


def cypher_rows(graph: Any, name: str, parameters: Mapping[str, str | None]) -> list[tuple[Any, ...]]:
    query = cypher(name)
    result = graph.query(query.text, dict(parameters))
    assert [column for _, column in result.header] == declared_columns(query), f"{name}: columns"
    return [tuple(from_cypher(value) for value in row) for row in result.result_set]


def multiset(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows in a canonical order (by their repr: values of mixed types and None sort together)."""
    return sorted(rows, key=repr)


@pytest.fixture(scope="module")
def backend(build_dir: Path) -> OxigraphBackend:
    """The built curated content in the embedded store."""
    return OxigraphBackend.open(build_dir / "store")


def assert_parity(name: str, backend: OxigraphBackend, graph: Any) -> None:
    """The SPARQL file and its Cypher twin answer the same rows, with the example and with no parameters."""
    skip_if_neo4j_only(name)
    parameters = cypher(name).parameters
    runs: list[tuple[dict[str, str], dict[str, str | None]]] = []
    if parameters:
        runs.append((sparql_example(name), dict(cypher_example(name))))
    runs.append(({}, dict.fromkeys(parameters)))
    for sparql_parameters, cypher_parameters in runs:
        expected = multiset(sparql_rows(backend, name, sparql_parameters))
        actual = multiset(cypher_rows(graph, name, cypher_parameters))
        assert expected, f"{name} answers nothing for {sparql_parameters}"
        assert actual == expected, f"{name} with {cypher_parameters}"


# ---------------------------------------------------------------- lint


def _loader_statements() -> dict[str, str]:
    """Every loader statement, placeholders filled with real names from the mapping."""
    relation = ontology.name("relation", "presents_with").neo4j
    labels = "".join(f":{ontology.name('class', yaml).neo4j}" for yaml in ("cause", "condition"))
    filled = {}
    for path in LOADER_FILES:
        for number, text in enumerate(loader.statements(path.stem), start=1):
            text = text.replace("{labels}", labels if path.stem != "clear_labels" else loader.all_labels())
            filled[f"{path.stem}.{number}"] = text.replace("{type}", relation)
    return filled


@pytest.fixture(scope="module")
def lint(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Diagnostics of Neo4j's Cypher front end for every query file and loader statement, by name."""
    node = shutil.which("node")
    missing = []
    if node is None:
        missing.append("`node` is not on PATH")
    if not (TOOLS / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        missing.append("tests/tools/node_modules is not installed (npm ci --prefix tests/tools)")
    if missing:
        reason = "the Cypher linter cannot run: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("loader_cypher")
    files = {f"queries/cypher/{path.name}": path for path in CYPHER_FILES}
    for name, text in _loader_statements().items():
        target = folder / f"{name}.cypher"
        target.write_text(text, encoding="utf-8")
        files[f"loaders/cypher/{name}"] = target
    broken = folder / "broken.cypher"
    broken.write_text("MATCH (n RETURN n", encoding="utf-8")
    files["broken"] = broken
    by_path = {str(path): key for key, path in files.items()}
    done = subprocess.run(  # noqa: S603 - our own script, paths we wrote
        [str(node), str(TOOLS / "cypher_lint.mjs"), *by_path],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {by_path[result["file"]]: result["diagnostics"] for result in results}


def _unexpected(diagnostics: list[dict[str, Any]]) -> list[str]:
    return [d["message"] for d in diagnostics if not _UNDEFINED_PARAMETER.match(d["message"])]


def test_lint_catches_a_broken_query(lint: dict[str, list[dict[str, Any]]]) -> None:
    assert _unexpected(lint["broken"]), "the linter let a syntax error through"


@pytest.mark.parametrize("path", CYPHER_FILES, ids=lambda p: p.stem)
def test_lint_query_file(lint: dict[str, list[dict[str, Any]]], path: Path) -> None:
    assert _unexpected(lint[f"queries/cypher/{path.name}"]) == []


@pytest.mark.parametrize("name", sorted(_loader_statements()))
def test_lint_loader_statement(lint: dict[str, list[dict[str, Any]]], name: str) -> None:
    assert _unexpected(lint[f"loaders/cypher/{name}"]) == []


# ---------------------------------------------------------------- headers


def test_headers_every_sparql_query_has_a_cypher_twin() -> None:
    assert set(SPARQL_NAMES) - set(CYPHER_NAMES) == set()
    assert {path.stem for path in CYPHER_FILES} == set(CYPHER_NAMES)


def test_headers_every_query_pair_has_a_parity_test() -> None:
    assert [name for name in SPARQL_NAMES if f"test_parity_{name}" not in globals()] == []


@pytest.mark.parametrize("name", CYPHER_NAMES)
def test_headers_of_cypher_file(name: str) -> None:
    query = cypher(name)
    assert query.text.startswith("// question:")
    for key in HEADER_KEYS:
        assert query.header.get(key), f"{name}: header lacks `// {key}:`"
    used = set(re.findall(r"\$(\w+)", body(query)))
    assert used == set(query.parameters), f"{name}: parameters used {used}, declared {query.parameters}"
    if is_browser(name):
        assert name not in SPARQL_NAMES, f"{name}: a browser query has no SPARQL twin"
        assert set(example(query)) == set(query.parameters)
        return
    assert name in SPARQL_NAMES, f"{name}: no queries/sparql/{name}.rq (or add `// browser: true`)"
    twin = queries.load(name, "sparql")
    assert query.parameters == twin.parameters
    assert declared_columns(query) == declared_columns(twin)
    assert example(query) == cypher_example(name)
    twin_order = [_ORDER_EQUIVALENTS.get((name, term), term) for term in order_by(twin)]
    assert order_by(query) == twin_order


# ---------------------------------------------------------------- parity, one test per query pair


def test_parity_entities(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("entities", backend, falkordb_graph)


def test_parity_entity_attributes(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("entity_attributes", backend, falkordb_graph)


def test_parity_edges(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("edges", backend, falkordb_graph)


def test_parity_entity_citations(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("entity_citations", backend, falkordb_graph)


def test_parity_causes_for_finding(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("causes_for_finding", backend, falkordb_graph)


def test_parity_mechanisms_by_category(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("mechanisms_by_category", backend, falkordb_graph)


def test_parity_red_flags_for_findings(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("red_flags_for_findings", backend, falkordb_graph)


def test_parity_tests_for_cause(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("tests_for_cause", backend, falkordb_graph)


def test_parity_tests_separating_causes(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("tests_separating_causes", backend, falkordb_graph)


def test_parity_entity_edges(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("entity_edges", backend, falkordb_graph)


def test_parity_edge_provenance(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("edge_provenance", backend, falkordb_graph)


def test_parity_causal_chains(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("causal_chains", backend, falkordb_graph)


def test_parity_findings_without_code(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("findings_without_code", backend, falkordb_graph)


def test_parity_counts_by_type(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    """Ontology classes without a label in mapping.tsv (ckg:Observable, the common superclass of
    mechanisms and findings) are not projected into the property graph, so the Cypher twin cannot count
    them: their SPARQL rows are set aside, and only theirs."""
    skip_if_neo4j_only("counts_by_type")
    expected = sparql_rows(backend, "counts_by_type", {})
    unprojected = [row for row in expected if str(row[1]).startswith(str(ontology.CKG))]
    classes = {str(term) for term in ontology.graph().subjects(RDF.type, OWL.Class)}
    assert all(row[0] == "entities" and row[1] in classes for row in unprojected), unprojected
    kept = [row for row in expected if row not in unprojected]
    assert kept
    assert multiset(cypher_rows(falkordb_graph, "counts_by_type", {})) == multiset(kept)


def test_parity_findings_of_cause(backend: OxigraphBackend, falkordb_graph: Any) -> None:
    assert_parity("findings_of_cause", backend, falkordb_graph)


# ---------------------------------------------------------------- browser queries


BROWSER_NAMES = [name for name in CYPHER_NAMES if is_browser(name)]


def test_browser_queries_exist() -> None:
    assert {"cause_neighbourhood", "finding_to_causes_paths", "red_flag_patterns"} <= set(BROWSER_NAMES)


def _paths(graph: Any, name: str, parameters: Mapping[str, str | None]) -> list[Any]:
    from falkordb.path import Path as GraphPath

    result = graph.query(cypher(name).text, dict(parameters))
    assert [column for _, column in result.header] == declared_columns(cypher(name))
    values = [value for row in result.result_set for value in row]
    assert all(isinstance(value, GraphPath) for value in values), name
    return values


@pytest.mark.parametrize("name", BROWSER_NAMES)
def test_browser_query_returns_paths(falkordb_graph: Any, name: str) -> None:
    skip_if_neo4j_only(name)
    query = cypher(name)
    bound = example(query)
    paths = _paths(falkordb_graph, name, bound)
    assert paths, f"{name} draws nothing for {bound}"
    for path in paths:
        ids = [node.properties["id"] for node in path.nodes()]
        assert path.edge_count() >= 1
        assert set(bound.values()) <= set(ids), f"{name}: a path misses {bound}: {ids}"
    everything = _paths(falkordb_graph, name, dict.fromkeys(query.parameters))
    assert len(everything) >= len(paths)


def test_browser_finding_to_causes_paths_end_at_the_finding(falkordb_graph: Any) -> None:
    paths = _paths(falkordb_graph, "finding_to_causes_paths", {"finding": "saddle-anesthesia"})
    assert {path.last_node().properties["id"] for path in paths} == {"saddle-anesthesia"}
    starts = {path.first_node().properties["id"] for path in paths}
    assert "cauda-equina-syndrome" in starts
    chained = _paths(falkordb_graph, "finding_to_causes_paths", {"finding": "fatigue"})
    assert any(
        path.first_node().properties["id"] == "diuretics" and path.edge_count() >= 3 for path in chained
    ), "no causal chain drawn from diuretics to fatigue"


# ---------------------------------------------------------------- parity on the HPO slice


@pytest.fixture(scope="module")
def hpo_backend(hpo_build_dir: Path) -> OxigraphBackend:
    """The curated content and the HPO slice (conftest) in the embedded store."""
    return OxigraphBackend.open(hpo_build_dir / "store")


def test_parity_hpo_terms(hpo_backend: OxigraphBackend, hpo_falkordb_graph: Any) -> None:
    assert_parity("hpo_terms", hpo_backend, hpo_falkordb_graph)


def test_parity_hpo_diseases(hpo_backend: OxigraphBackend, hpo_falkordb_graph: Any) -> None:
    assert_parity("hpo_diseases", hpo_backend, hpo_falkordb_graph)


def test_parity_hpo_synonyms(hpo_backend: OxigraphBackend, hpo_falkordb_graph: Any) -> None:
    assert_parity("hpo_synonyms", hpo_backend, hpo_falkordb_graph)


def test_parity_hpo_annotations(hpo_backend: OxigraphBackend, hpo_falkordb_graph: Any) -> None:
    assert_parity("hpo_annotations", hpo_backend, hpo_falkordb_graph)


@pytest.mark.parametrize("name", ["entities", "entity_attributes", "edges", "entity_citations"])
def test_parity_curated_queries_ignore_an_imported_graph(
    name: str, backend: OxigraphBackend, hpo_backend: OxigraphBackend, hpo_falkordb_graph: Any
) -> None:
    """The service's index queries read the curated graph only, beside HPO as without it."""
    alone = multiset(sparql_rows(backend, name, {}))
    assert multiset(sparql_rows(hpo_backend, name, {})) == alone
    assert multiset(cypher_rows(hpo_falkordb_graph, name, {})) == alone
