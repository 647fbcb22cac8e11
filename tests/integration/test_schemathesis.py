"""Property-based fuzzing of the live API from its own OpenAPI schema (schemathesis, issue 7 deliverable 5).

The schema is loaded from the running service (`/openapi.json`); every operation is fuzzed with inputs
that fit the schema (positive) and inputs that break it (negative), a bounded number of each, derandomized
(the same inputs on every run) and without shrinking. Every response must:

- not be a server error (5xx) — no generated input, valid or not, may crash the service;
- use a documented status code, a documented content type, and match the documented body schema;
- when it is an error (4xx/5xx), be JSON `{"detail": ...}`, never a stack trace;
- arrive within REQUEST_TIMEOUT_S (a hang fails the test with the request that hung).

Known gaps of the *documented* OpenAPI (the service answers sensibly, the schema does not say so) are
listed in KNOWN_GAPS, each narrowed to one operation and one status code; nothing else is excused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, CheckContext, CheckFunction, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from clinkg.service.api.app import create_app
from clinkg.service.settings import Settings

pytestmark = pytest.mark.integration

MAX_EXAMPLES = 50  # per operation and generation mode
REQUEST_TIMEOUT_S = 15  # above the SPARQL budget (10 s): a request still pending after this is a hang
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same inputs on every run (CI is reproducible)
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking, no example database
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)

# The POST /sparql body may be a SPARQL query as text; schemathesis sends it like text/plain.
schemathesis.serializer.alias("application/sparql-query", "text/plain")


def error_body_is_json_detail(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every error is JSON `{"detail": ...}` and never shows a stack trace."""
    if response.status_code < 400:
        return None
    media = response.headers.get("content-type", [""])[0].split(";")[0].strip()
    assert media == "application/json", f"error {response.status_code} answered as {media!r}, not JSON"
    body = json.loads(response.content)
    assert isinstance(body, dict) and "detail" in body, f"error body without detail: {response.text[:300]}"
    assert "Traceback" not in response.text, f"a stack trace in the answer: {response.text[:300]}"
    return None


def cypher_refusal_names_backend(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """/v1/cypher answers 503 on the embedded store by design; that 503 must be the refusal, not a crash."""
    if case.operation.label == "POST /v1/cypher" and response.status_code == 503:
        detail = str(json.loads(response.content).get("detail", ""))
        assert "Neo4j backend" in detail, f"unexpected 503 from /v1/cypher: {detail}"
    return None


CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_body_is_json_detail,
    cypher_refusal_names_backend,
]

# Gaps in the documented OpenAPI, reported on issue 7: (operation, status) -> checks excused for that
# response only. Each entry is a documentation fix to make in the service; remove it once made.
UNDOCUMENTED_STATUS = (status_code_conformance,)
DETAIL_IS_A_STRING = (response_schema_conformance,)  # 422 documented as FastAPI's list of errors
KNOWN_GAPS: dict[tuple[str, int], tuple[CheckFunction, ...]] = {
    # 503 on /v1/cypher is the designed answer on the embedded store, not a server fault
    # (cypher_refusal_names_backend checks that it is that refusal).
    ("POST /v1/cypher", 503): (not_a_server_error,),
    # 200 answers are documented as `{"type": "string"}` for every media type, so a JSON answer
    # (application/sparql-results+json, application/json, application/ld+json) never matches.
    ("GET /sparql", 200): (response_schema_conformance,),
    ("POST /sparql", 200): (response_schema_conformance,),
}


def _operations() -> list[str]:
    """Every operation the app documents (read at collection; the live schema is checked to match)."""
    spec = create_app(Settings()).openapi()
    return sorted(f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops)


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def api_schema(base_url: str) -> schemathesis.BaseSchema:
    """The OpenAPI schema as the live service publishes it."""
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json", timeout=30)


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        # schemathesis lets session headers override the case's own: drop requests' defaults
        # (Accept: */* and the rest) so each case sends exactly its headers.
        s.headers.clear()
        yield s


def test_every_operation_is_fuzzed(api_schema: schemathesis.BaseSchema) -> None:
    spec = api_schema.raw_schema
    live = sorted(f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops)
    assert live == OPERATIONS
    assert all(api_schema.find_operation_by_label(label) is not None for label in OPERATIONS)
    assert {label for label, _ in KNOWN_GAPS} <= set(OPERATIONS), "a known gap names no operation"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_conforms(
    api_schema: schemathesis.BaseSchema, session: requests.Session, label: str, mode: GenerationMode
) -> None:
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the live schema"

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: Case) -> None:
        response = case.call(session=session, timeout=REQUEST_TIMEOUT_S)
        excused = KNOWN_GAPS.get((label, response.status_code), ())
        case.validate_response(response, checks=CHECKS, excluded_checks=list(excused))

    try:
        fuzz()
    except Unsatisfiable:
        if mode is GenerationMode.NEGATIVE:
            pytest.skip(f"{label}: the schema admits every input, so there is no schema-invalid one to send")
        raise


def _validate(case: Case, session: requests.Session) -> Response:
    response = case.call(session=session, timeout=REQUEST_TIMEOUT_S)
    excused = KNOWN_GAPS.get((case.operation.label, response.status_code), ())
    case.validate_response(response, checks=CHECKS, excluded_checks=list(excused))
    return response


STROKE = "<https://w3id.org/clinkg/id/stroke>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SOLUTION_QUERIES = [f"SELECT ?label WHERE {{ {STROKE} {LABEL} ?label }}", "ASK { ?s ?p ?o }"]
GRAPH_QUERIES = [f"DESCRIBE {STROKE}", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"]
SOLUTION_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
FORM = "application/x-www-form-urlencoded"
GRAPH_TYPES = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
REFUSED_QUERIES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",  # an update: 403
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",  # federation off: 403
    "SELECT * WHERE { ?s ?p",  # a syntax error: 400
]


def _sparql_cases(operation: APIOperation, method: str) -> Iterator[Case]:
    """Real queries, every format, through GET and both POST encodings; then refused ones."""
    pairs = [(q, t) for q in SOLUTION_QUERIES for t in SOLUTION_TYPES]
    pairs += [(q, t) for q in GRAPH_QUERIES for t in GRAPH_TYPES]
    pairs += [(q, "*/*") for q in REFUSED_QUERIES] + [(SOLUTION_QUERIES[0], "text/turtle")]  # 406
    for query, accept in pairs:
        headers = {"Accept": accept}
        if method == "GET":
            yield operation.Case(query={"query": query}, headers=headers)
        else:
            yield operation.Case(body={"query": query}, media_type=FORM, headers=headers)
            yield operation.Case(body=query, media_type="application/sparql-query", headers=headers)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparql_answers_conform(
    api_schema: schemathesis.BaseSchema, session: requests.Session, method: str
) -> None:
    """Random text is hardly ever a valid query: real ones, in every format, get the same checks."""
    operation = api_schema.find_operation_by_label(f"{method} /sparql")
    assert operation is not None
    statuses: set[int] = set()
    for case in _sparql_cases(operation, method):
        statuses.add(_validate(case, session).status_code)
    assert statuses == {200, 400, 403, 406}


@pytest.fixture(scope="module")
def graph_names(session: requests.Session, base_url: str) -> dict[str, list[str]]:
    """Real names of the graph's entities (ids, CURIEs, labels, codes), by type, from the live service."""
    items = session.get(f"{base_url}/v1/entities", params={"limit": 1000}, timeout=30).json()["items"]
    names: dict[str, list[str]] = {}
    for item in items:
        short = item["id"].removeprefix("clinkg:")
        names.setdefault(item["type"], []).extend([short, item["id"], item["label"], *item["xrefs"]])
    names["any"] = sorted({name for group in names.values() for name in group})
    return names


def test_differential_on_real_findings(
    api_schema: schemathesis.BaseSchema, session: requests.Session, graph_names: dict[str, list[str]]
) -> None:
    """Random text rarely names an entity, so the ranking is fuzzed here with the graph's own names:
    findings and history items by id, CURIE, label or code, present and absent (overlapping too), every
    onset, side and age. Answers are 200 (or 422 naming what is wrong) and match the documented schema."""
    operation = api_schema.find_operation_by_label("POST /v1/differential")
    assert operation is not None
    items = graph_names["finding"] + graph_names["cause"]
    noise = st.sampled_from(graph_names["any"]) | st.text(max_size=12)
    refs = st.lists(st.sampled_from(items) | noise, min_size=1, max_size=10)
    body = st.fixed_dictionaries(
        {"present": refs},
        optional={
            "absent": st.lists(st.sampled_from(items), max_size=6),
            "onset": st.sampled_from([None, "sudden", "rapid", "gradual"]),
            "laterality": st.sampled_from([None, "unilateral", "bilateral"]),
            "age": st.none() | st.integers(min_value=0, max_value=130),
        },
    )

    @settings(FUZZ_SETTINGS, max_examples=4 * MAX_EXAMPLES)
    @given(body=body)
    def fuzz(body: dict[str, Any]) -> None:
        response = _validate(operation.Case(body=body, media_type="application/json"), session)
        assert response.status_code in (200, 422), response.text[:300]

    fuzz()


def test_paths_and_entities_on_real_ids(
    api_schema: schemathesis.BaseSchema, session: requests.Session, graph_names: dict[str, list[str]]
) -> None:
    """Paths between real entities at every allowed length (the search that could run long), and
    entities by every name they answer to."""
    paths = api_schema.find_operation_by_label("GET /v1/paths")
    entity = api_schema.find_operation_by_label("GET /v1/entities/{entity_id}")
    assert paths is not None and entity is not None
    names = st.sampled_from(graph_names["any"])
    # schemathesis does not percent-encode `?` or `#` in a path parameter (a label such as "Why Am I
    # Losing Strength in My Legs?" would lose its end), so those names go through the query only.
    path_names = st.sampled_from([n for n in graph_names["any"] if not set(n) & set("?#/%")])
    query = st.fixed_dictionaries(
        {"from": names, "to": names},
        optional={
            "max_length": st.integers(min_value=1, max_value=6),
            "limit": st.integers(min_value=1, max_value=100),
            "include_tests": st.booleans(),
        },
    )

    @settings(FUZZ_SETTINGS, max_examples=2 * MAX_EXAMPLES)
    @given(query=query, name=path_names)
    def fuzz(query: dict[str, object], name: str) -> None:
        assert _validate(paths.Case(query=query), session).status_code == 200
        assert _validate(entity.Case(path_parameters={"entity_id": name}), session).status_code == 200

    fuzz()
