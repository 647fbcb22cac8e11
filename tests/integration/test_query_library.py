"""The SPARQL query library on the built curated content: well-formed headers, parameters that bind, every
prefix declared, each file runnable as pasted at /sparql, and real answers to each question."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from clinkg import queries
from clinkg.ontology import ID
from clinkg.service.stores.base import Row
from clinkg.service.stores.oxigraph import OxigraphBackend

pytestmark = pytest.mark.integration

PREFIXES = {"clinkg": "https://w3id.org/clinkg/id/", "ckg": "https://w3id.org/clinkg/ontology#"}
HEADER_KEYS = ("question", "parameters", "returns", "example")
NAMES = queries.names("sparql")
_BINDING = re.compile(r"^([a-z_]+)\s*=\s*([a-z]+):(\S+)$")
_IRI = re.compile(r"<[^<>\s]*>")
_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")
# A prefixed name's prefix (empty for `:x`), not the colon of a variable, an IRI or a URL.
_PREFIXED_NAME = re.compile(r"(?<![\w?$/#.:-])([A-Za-z][\w.-]*)?:(?=[A-Za-z0-9_])")
_DECLARATION = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<[^>]*>", re.M | re.I)


def iri(curie: str) -> str:
    """The full IRI of a `clinkg:` or `ckg:` CURIE."""
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


def example_parameters(query: queries.Query) -> dict[str, str]:
    """The parameters of the header's example (`name = prefix:local; ...`) as IRIs."""
    if not query.parameters:
        return {}
    bindings = {}
    for part in query.header["example"].split(";"):
        match = _BINDING.match(part.strip())
        assert match, f"{query.name}: example part {part!r} is not `name = prefix:local`"
        name, prefix, local = match.groups()
        bindings[name] = PREFIXES[prefix] + local
    return bindings


def body(query: queries.Query) -> str:
    """The query text without its comment lines."""
    return "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))


def projection(query: queries.Query) -> list[str]:
    """The variables of the outer SELECT, in order."""
    match = re.search(r"\bSELECT\b(.*?)\bWHERE\b", body(query), re.S)
    assert match, f"{query.name} is not a SELECT"
    return re.findall(r"\?(\w+)", re.sub(r"\(.*?\bAS\b", "", match.group(1)))


def declared_columns(query: queries.Query) -> list[str]:
    """The column names of the header's `returns`, without their explanations in parentheses."""
    plain = re.sub(r"\([^)]*\)", "", query.header["returns"])
    return [part.strip() for part in plain.split(",") if part.strip()]


def used_prefixes(query: queries.Query) -> set[str]:
    """The prefixes of the prefixed names in the query's body and in its header's example and parameters
    (a user pastes those into the query), outside IRIs and strings."""
    texts = (_DECLARATION.sub("", body(query)), query.header["example"], query.header["parameters"])
    return {
        match.group(1) or ""
        for text in texts
        for match in _PREFIXED_NAME.finditer(_STRING.sub("", _IRI.sub("", text)))
    }


@pytest.fixture(scope="module")
def backend(build_dir: Path) -> OxigraphBackend:
    """The built curated content in the embedded store."""
    return OxigraphBackend.open(build_dir / "store")


def run(backend: OxigraphBackend, name: str, **parameters: str) -> list[Row]:
    """Run the library query NAME with CURIE parameters."""
    return backend.run(name, {key: iri(value) for key, value in parameters.items()})


def pick(rows: list[Row], **columns: object) -> list[Row]:
    """The rows whose columns equal the given values, CURIEs of `clinkg:` and `ckg:` expanded."""
    wanted = {
        k: iri(v) if isinstance(v, str) and v.split(":", 1)[0] in PREFIXES else v for k, v in columns.items()
    }
    return [row for row in rows if all(row.get(k) == v for k, v in wanted.items())]


# ---------------------------------------------------------------- every file


def test_the_library_has_the_questions() -> None:
    expected = {
        "causes_for_finding",
        "mechanisms_by_category",
        "red_flags_for_findings",
        "tests_for_cause",
        "tests_separating_causes",
        "entity_edges",
        "edge_provenance",
        "causal_chains",
        "findings_without_code",
        "counts_by_type",
    }
    assert expected <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_header_is_complete(name: str) -> None:
    query = queries.load(name, "sparql")
    for key in HEADER_KEYS:
        assert query.header.get(key), f"{name}: header lacks `# {key}:`"
    assert query.text.startswith("# question:")
    assert "ORDER BY" in body(query), f"{name}: rows have no deterministic order"


@pytest.mark.parametrize("name", NAMES)
def test_declares_every_prefix_it_uses(name: str) -> None:
    query = queries.load(name, "sparql")
    declared = {match.group(1) or "" for match in _DECLARATION.finditer(body(query))}
    assert used_prefixes(query) <= declared, f"{name}: PREFIX missing for {used_prefixes(query) - declared}"
    for prefix in declared & set(PREFIXES):
        assert f"PREFIX {prefix}: <{PREFIXES[prefix]}>" in query.text, f"{name}: {prefix}: is not ours"


@pytest.mark.parametrize("name", NAMES)
def test_runs_as_pasted_at_the_endpoint(http: httpx.Client, name: str) -> None:
    # The file's text unchanged, header and all, parameters unbound: what a user pastes into /sparql.
    query = queries.load(name, "sparql")
    response = http.post(
        "/sparql",
        content=query.text.encode(),
        headers={"content-type": "application/sparql-query", "accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, f"{name}: {response.text}"
    answer = response.json()
    assert answer["head"]["vars"] == declared_columns(query)
    if not name.startswith("hpo_"):  # the HPO questions have no rows on the curated graph alone
        assert answer["results"]["bindings"], f"{name} answers nothing at /sparql"


@pytest.mark.parametrize("name", NAMES)
def test_returns_names_the_selected_columns(name: str) -> None:
    query = queries.load(name, "sparql")
    assert declared_columns(query) == projection(query)


@pytest.mark.parametrize("name", NAMES)
def test_parameters_are_free_variables_of_the_query(name: str) -> None:
    query = queries.load(name, "sparql")
    text = body(query)
    for parameter in query.parameters:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", parameter), f"{name}: parameter {parameter!r} is malformed"
        assert re.search(rf"\?{parameter}\b", text), f"{name}: ?{parameter} is not used"
        assert parameter in projection(query), f"{name}: ?{parameter} is not a column"
        assert not re.search(rf"\bAS\s+\?{parameter}\b", text), f"{name}: ?{parameter} is assigned"
        assert not re.search(rf"\bVALUES\b[^{{]*\?{parameter}\b", text), f"{name}: ?{parameter} in VALUES"
    assert set(example_parameters(query)) == set(query.parameters)


@pytest.mark.parametrize("name", NAMES)
def test_runs_with_the_example_and_without_parameters(
    request: pytest.FixtureRequest, backend: OxigraphBackend, name: str
) -> None:
    if name.startswith("hpo_"):  # questions about the imported HPO graph: asked of the HPO slice
        backend = OxigraphBackend.open(request.getfixturevalue("hpo_build_dir") / "store")
    query = queries.load(name, "sparql")
    columns = set(declared_columns(query))
    everything = backend.run(name)
    assert everything, f"{name} answers nothing without parameters"
    assert all(set(row) <= columns for row in everything)
    if not query.parameters:
        return
    bound = example_parameters(query)
    answer = backend.run(name, bound)
    assert answer, f"{name} answers nothing for its example"
    assert all(all(row[k] == v for k, v in bound.items()) for row in answer)
    unbound_answer = [row for row in everything if all(row.get(k) == v for k, v in bound.items())]
    assert answer == unbound_answer


# ---------------------------------------------------------------- one question each


def test_causes_for_finding(backend: OxigraphBackend) -> None:
    saddle = run(backend, "causes_for_finding", finding="clinkg:saddle-anesthesia")
    assert pick(saddle, cause="clinkg:cauda-equina-syndrome", route="direct")
    assert {row["finding"] for row in saddle} == {iri("clinkg:saddle-anesthesia")}

    weakness = run(backend, "causes_for_finding", finding="clinkg:leg-weakness")
    disc = pick(weakness, cause="clinkg:herniated-disc")
    assert pick(disc, route="mechanism", reached="clinkg:herniated-disc")
    assert pick(disc, route="direct", reached="clinkg:sciatica")  # herniated disc causes sciatica
    assert pick(weakness, cause="clinkg:diuretics", route="direct", reached="clinkg:dehydration")
    general = run(backend, "causes_for_finding", finding="clinkg:generalized-weakness")
    assert pick(general, cause="clinkg:sodium-imbalance", reached="clinkg:electrolyte-imbalance")  # subtype
    paralysis = run(backend, "causes_for_finding", finding="clinkg:paralysis")
    assert pick(paralysis, cause="clinkg:stroke", route="direct")  # a form of leg weakness

    older = run(backend, "causes_for_finding", finding="clinkg:older-age")
    assert pick(older, cause="clinkg:sarcopenia", route="risk_factor")


def test_causes_for_finding_is_the_differential_s_walk(backend: OxigraphBackend) -> None:
    # The library's question and the service's Python walk (service/ranking/paths.py) give the same
    # (finding, cause, first step) for every finding of the graph.
    from clinkg.service.ranking.context import Ranking
    from clinkg.service.ranking.graph_index import GraphIndex

    ranking = Ranking(GraphIndex.load(backend))
    walked = {
        (finding.id, path.end, path.route)
        for finding in ranking.index.of_type("finding")
        for path in ranking.finding_paths(finding.id)
    }
    asked = {
        (row["finding"].removeprefix(str(ID)), row["cause"].removeprefix(str(ID)), row["route"])
        for row in backend.run("causes_for_finding")
    }
    assert walked and asked == walked


def test_mechanisms_by_category(backend: OxigraphBackend) -> None:
    rows = run(backend, "mechanisms_by_category")
    assert {"nerve", "muscle", "circulation", "cns"} <= {row["category"] for row in rows}
    compression = pick(rows, category="nerve-root-compression", mechanism="clinkg:sciatic-nerve-compression")
    assert {"Herniated disc", "Spinal stenosis"} <= {row["cause_label"] for row in compression}
    assert pick(rows, category="cns", cause="clinkg:stroke")


def test_red_flags_for_findings(backend: OxigraphBackend) -> None:
    rows = run(backend, "red_flags_for_findings", finding="clinkg:saddle-anesthesia")
    cauda = pick(rows, red_flag="clinkg:rf-cauda-equina-syndrome")
    assert len(cauda) == 1
    assert cauda[0]["criterion_group"] == "all_of"
    assert cauda[0]["urgency"] == "emergency"
    assert cauda[0]["action"]
    assert cauda[0]["concern"] == iri("clinkg:cauda-equina-syndrome")

    walking = run(backend, "red_flags_for_findings", finding="clinkg:difficulty-walking")
    assert pick(walking, red_flag="clinkg:rf-sudden-leg-weakness", criterion_group="supporting")


def test_tests_for_cause(backend: OxigraphBackend) -> None:
    rows = run(backend, "tests_for_cause", cause="clinkg:guillain-barre-syndrome")
    tests = {row["test"] for row in rows}
    assert {iri("clinkg:emg"), iri("clinkg:nerve-conduction-study")} & tests
    ncs = pick(
        rows, test="clinkg:nerve-conduction-study", assesses="clinkg:immune-attack-on-peripheral-nerves"
    )
    assert ncs
    assert ncs[0]["category"] == "electrodiagnostic"
    assert str(ncs[0]["relevant"]).lower() == "true"
    emg = pick(rows, test="clinkg:emg", assesses="clinkg:muscle-fibre-disorder")
    assert emg
    assert str(emg[0]["relevant"]).lower() == "false"
    history = pick(rows, test="clinkg:medical-history")
    assert history
    assert "assesses" not in history[0]


def test_tests_separating_causes(backend: OxigraphBackend) -> None:
    rows = run(
        backend, "tests_separating_causes", cause="clinkg:stroke", other="clinkg:peripheral-neuropathy"
    )
    assert rows
    assert pick(rows, test="clinkg:mri", favours="clinkg:stroke", reason="mechanism")
    assert pick(rows, test="clinkg:nerve-conduction-study", favours="clinkg:peripheral-neuropathy")
    assert not pick(rows, test="clinkg:strength-testing")

    swapped = run(
        backend, "tests_separating_causes", cause="clinkg:peripheral-neuropathy", other="clinkg:stroke"
    )
    assert {(r["test"], r["favours"], r["reason"]) for r in swapped} == {
        (r["test"], r["favours"], r["reason"]) for r in rows
    }

    muscle_or_nerve = run(
        backend,
        "tests_separating_causes",
        cause="clinkg:thyroid-myopathy",
        other="clinkg:peripheral-neuropathy",
    )
    emg = pick(muscle_or_nerve, test="clinkg:emg", reason="mechanism")
    assert {row["favours"] for row in emg} == {
        iri("clinkg:thyroid-myopathy"),
        iri("clinkg:peripheral-neuropathy"),
    }


def test_entity_edges(backend: OxigraphBackend) -> None:
    rows = run(backend, "entity_edges", entity="clinkg:stroke")
    weakness = pick(rows, direction="out", predicate="ckg:presentsWith", other="clinkg:leg-weakness")
    assert len(weakness) == 1
    edge = weakness[0]
    assert edge["onset"] == "sudden"
    assert edge["other_label"] == "Leg weakness"
    assert edge["source"] == iri("clinkg:leg-weakness-article")
    assert edge["section"]
    assert isinstance(edge["paragraph"], int)
    assert edge["statement"]
    assert pick(rows, direction="in", predicate="ckg:raisesConcernFor", other="clinkg:rf-sudden-leg-weakness")
    assert {row["direction"] for row in rows} == {"in", "out"}


def test_edge_provenance(backend: OxigraphBackend) -> None:
    rows = run(backend, "edge_provenance", subject="clinkg:stroke", object="clinkg:leg-weakness")
    assert [row["predicate"] for row in rows] == [iri("ckg:presentsWith")]
    assert rows[0]["statement"]
    assert rows[0]["laterality"]
    assert not run(
        backend,
        "edge_provenance",
        subject="clinkg:stroke",
        object="clinkg:leg-weakness",
        predicate="ckg:evaluatedBy",
    )
    assert not run(backend, "edge_provenance", subject="clinkg:leg-weakness", object="clinkg:stroke")


def test_causal_chains(backend: OxigraphBackend) -> None:
    rows = run(backend, "causal_chains")
    chain = pick(rows, start="clinkg:diuretics", step1="clinkg:increased-urination", end="clinkg:dehydration")
    assert len(chain) == 1
    assert chain[0]["length"] == 2
    assert pick(rows, start="clinkg:diuretics", end="clinkg:increased-urination", length=1)
    assert all(row["start"] != row["end"] for row in rows)
    assert all(("step1" in row) == (row["length"] > 1) for row in rows)


def test_findings_without_code(backend: OxigraphBackend) -> None:
    rows = run(backend, "findings_without_code")
    findings = {row["entity"] for row in run(backend, "entities") if row["type"] == iri("ckg:Finding")}
    coded = {row["entity"] for row in run(backend, "entity_attributes") if row["attribute"] == "xref"}
    assert {row["finding"] for row in rows} == findings - coded
    assert pick(rows, finding="clinkg:saddle-anesthesia")


def test_counts_by_type(backend: OxigraphBackend) -> None:
    rows = run(backend, "counts_by_type")
    entities = {row["type"]: row["total"] for row in rows if row["counted"] == "entities"}
    assertions = {row["type"]: row["total"] for row in rows if row["counted"] == "assertions"}
    listed = run(backend, "entities")
    for kind in ("Cause", "Mechanism", "Finding", "RedFlag", "DiagnosticTest", "Source"):
        assert entities[iri(f"ckg:{kind}")] == sum(row["type"] == iri(f"ckg:{kind}") for row in listed)
    assert entities[iri("ckg:Cause")] == 29
    kinds = sum(
        entities.get(iri(f"ckg:{kind}"), 0) for kind in ("Condition", "Exposure", "Medication", "State")
    )
    assert kinds == entities[iri("ckg:Cause")]
    assert entities[iri("ckg:Entity")] == len(listed)
    edges = run(backend, "edges")
    assert sum(assertions.values()) == len(edges)
    assert assertions[iri("ckg:causes")] == sum(row["predicate"] == iri("ckg:causes") for row in edges)


def test_findings_of_cause(backend: OxigraphBackend) -> None:
    rows = run(backend, "findings_of_cause", cause="clinkg:stroke")
    direct = pick(rows, finding="clinkg:leg-weakness", route="direct")
    assert len(direct) == 1
    assert direct[0]["onset"] == "sudden"
    assert pick(
        rows, finding="clinkg:leg-weakness", route="mechanism", via="clinkg:interrupted-brain-blood-flow"
    )
