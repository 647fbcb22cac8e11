"""The SPARQL 1.1 Protocol endpoint over HTTP: the three ways to ask, every result format, content
negotiation, and what a read-only endpoint refuses (updates, SERVICE) without changing anything."""

from __future__ import annotations

import csv
import io
import json
import socket
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from xml.dom.minidom import Document

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from SPARQLWrapper import JSON, JSONLD, POST, TURTLE, XML, SPARQLWrapper

from clinkg.service.api.app import create_app
from clinkg.service.settings import Settings
from clinkg.service.stores.base import Backend, Row

pytestmark = pytest.mark.integration

ID = Namespace("https://w3id.org/clinkg/id/")
CKG = Namespace("https://w3id.org/clinkg/ontology#")
ONTOLOGY_GRAPH = "https://w3id.org/clinkg/graph/ontology"
RESULTS = "{http://www.w3.org/2005/sparql-results#}"
PREFIXES = f"PREFIX rdfs: <{RDFS}>\nPREFIX ckg: <{CKG}>\nPREFIX id: <{ID}>\n"
LABEL_OF_STROKE = PREFIXES + "SELECT ?label WHERE { id:stroke rdfs:label ?label }"
STROKE_IS_A_CAUSE = PREFIXES + "ASK { id:stroke a ckg:Cause }"
CONSTRUCT_GBS = PREFIXES + (
    "CONSTRUCT { id:guillain-barre-syndrome rdfs:label ?label ; ckg:presentsWith ?finding } "
    "WHERE { id:guillain-barre-syndrome rdfs:label ?label ; ckg:presentsWith ?finding }"
)
DESCRIBE_STROKE = PREFIXES + "DESCRIBE id:stroke"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_FROM_ONTOLOGY = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/clinkg/graph/ontology> { ?s ?p ?o }"
JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


def ask(http: httpx.Client, query: str, accept: str = JSON_RESULTS, **params: str) -> httpx.Response:
    """GET /sparql with `query` and an Accept header."""
    return http.get("/sparql", params={"query": query, **params}, headers={"accept": accept})


def bindings(response: httpx.Response) -> list[dict[str, str]]:
    """The rows of a SPARQL JSON answer as {variable: value}."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    rows = response.json()["results"]["bindings"]
    return [{name: term["value"] for name, term in row.items()} for row in rows]


def triple_count(http: httpx.Client) -> tuple[int, int]:
    """How big the graph is, as /health reports it and as SPARQL counts it."""
    counted = int(bindings(ask(http, COUNT_ALL))[0]["n"])
    return http.get("/health").json()["triples"], counted


def rdf(response: httpx.Response, media_type: str) -> Graph:
    """The RDF body of a CONSTRUCT/DESCRIBE answer, parsed by rdflib in the format it claims."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    return Graph().parse(data=response.content, format=RDF_FORMATS[media_type])


# The three ways the protocol lets a client send a query.


def test_get_with_query_parameter(http: httpx.Client) -> None:
    assert bindings(ask(http, LABEL_OF_STROKE)) == [{"label": "Stroke"}]


def test_post_form_with_query_field(http: httpx.Client) -> None:
    response = http.post("/sparql", data={"query": LABEL_OF_STROKE}, headers={"accept": JSON_RESULTS})
    assert bindings(response) == [{"label": "Stroke"}]


def test_post_sparql_query_body(http: httpx.Client) -> None:
    response = http.post(
        "/sparql",
        content=LABEL_OF_STROKE.encode(),
        headers={"content-type": "application/sparql-query", "accept": JSON_RESULTS},
    )
    assert bindings(response) == [{"label": "Stroke"}]


def test_default_graph_is_the_union_of_the_named_graphs(http: httpx.Client) -> None:
    health, counted = triple_count(http)
    assert counted == health > 4000
    # An ontology class (ontology graph) and a curated entity (curated graph) in one pattern.
    both = PREFIXES + "ASK { ckg:Cause rdfs:label ?c . id:stroke a ckg:Cause }"
    assert ask(http, both).json()["boolean"] is True


def test_default_graph_uri_and_from_choose_the_dataset(http: httpx.Client) -> None:
    in_ontology = bindings(
        ask(http, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}")
    )
    expected = int(in_ontology[0]["n"])
    by_protocol = bindings(ask(http, COUNT_ALL, **{"default-graph-uri": ONTOLOGY_GRAPH}))
    by_from = bindings(ask(http, COUNT_FROM_ONTOLOGY))
    assert 0 < expected < triple_count(http)[1]
    assert int(by_protocol[0]["n"]) == int(by_from[0]["n"]) == expected


def test_the_word_from_outside_a_dataset_clause_keeps_the_union(http: httpx.Client) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != 'FROM <x>') }  # from"
    assert int(bindings(ask(http, query))[0]["n"]) == triple_count(http)[0]


# SELECT in each results format, parsed for real.


def _from_json(body: bytes) -> list[str]:
    return [row["label"]["value"] for row in json.loads(body)["results"]["bindings"]]


def _xml(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 - our own server's answer, in a test


def _from_xml(body: bytes) -> list[str]:
    return [node.text or "" for node in _xml(body).iter(f"{RESULTS}literal")]


def _from_csv(body: bytes) -> list[str]:
    return [row["label"] for row in csv.DictReader(io.StringIO(body.decode()))]


def _from_tsv(body: bytes) -> list[str]:
    # TSV terms are written as in Turtle (quoted literals), not quoted the CSV way.
    rows = csv.DictReader(io.StringIO(body.decode()), delimiter="\t", quoting=csv.QUOTE_NONE)
    return [row["?label"] for row in rows]


@pytest.mark.parametrize(
    ("accept", "read", "expected"),
    [
        (JSON_RESULTS, _from_json, "Stroke"),
        ("application/json", _from_json, "Stroke"),
        (XML_RESULTS, _from_xml, "Stroke"),
        ("text/csv", _from_csv, "Stroke"),
        ("text/tab-separated-values", _from_tsv, '"Stroke"'),
    ],
)
def test_select_in_each_results_format(
    http: httpx.Client, accept: str, read: Callable[[bytes], list[str]], expected: str
) -> None:
    response = ask(http, LABEL_OF_STROKE, accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == accept
    assert read(response.content) == [expected]


def test_select_results_keep_non_ascii_text(http: httpx.Client) -> None:
    query = PREFIXES + "SELECT ?label WHERE { id:guillain-barre-syndrome rdfs:label ?label }"
    assert _from_csv(ask(http, query, "text/csv").content) == ["Guillain-Barré syndrome"]


def test_ask_in_json(http: httpx.Client) -> None:
    assert ask(http, STROKE_IS_A_CAUSE).json() == {"head": {}, "boolean": True}
    not_a_finding = PREFIXES + "ASK { id:stroke a ckg:Finding }"
    assert ask(http, not_a_finding).json()["boolean"] is False


def test_ask_in_xml(http: httpx.Client) -> None:
    response = ask(http, STROKE_IS_A_CAUSE, XML_RESULTS)
    assert response.headers["content-type"].startswith(XML_RESULTS)
    assert _xml(response.content).findtext(f"{RESULTS}boolean") == "true"


# CONSTRUCT and DESCRIBE in each RDF format, parsed by rdflib.


@pytest.mark.parametrize("media_type", list(RDF_FORMATS))
def test_construct_in_each_rdf_format(http: httpx.Client, media_type: str) -> None:
    graph = rdf(ask(http, CONSTRUCT_GBS, media_type), media_type)
    gbs = ID["guillain-barre-syndrome"]
    assert (gbs, RDFS.label, Literal("Guillain-Barré syndrome")) in graph
    assert (gbs, CKG.presentsWith, ID["leg-weakness"]) in graph
    assert len(graph) == 1 + len(set(graph.objects(gbs, CKG.presentsWith))) >= 3


@pytest.mark.parametrize("media_type", list(RDF_FORMATS))
def test_describe_in_each_rdf_format(http: httpx.Client, media_type: str) -> None:
    graph = rdf(ask(http, DESCRIBE_STROKE, media_type), media_type)
    stroke = ID.stroke
    assert (stroke, RDFS.label, Literal("Stroke")) in graph
    assert (stroke, RDF.type, CKG.Cause) in graph
    assert (stroke, CKG.presentsWith, ID["leg-weakness"]) in graph


def test_construct_defaults_to_turtle_and_select_to_json(http: httpx.Client) -> None:
    construct = http.get("/sparql", params={"query": CONSTRUCT_GBS})
    select = http.get("/sparql", params={"query": LABEL_OF_STROKE}, headers={"accept": "*/*"})
    assert construct.headers["content-type"].startswith("text/turtle")
    assert select.headers["content-type"].startswith(JSON_RESULTS)
    assert construct.headers["vary"] == "Accept"


# Content negotiation.


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (f"{JSON_RESULTS};q=0.5, text/csv", "text/csv"),
        (f"text/csv;q=0.2, {XML_RESULTS};q=0.8, */*;q=0.1", XML_RESULTS),
        ("text/*", "text/csv"),
        ("text/csv;q=0, */*", JSON_RESULTS),
        ("application/*;q=0.3, text/tab-separated-values;q=0.4", "text/tab-separated-values"),
    ],
)
def test_accept_q_values_pick_the_format(http: httpx.Client, accept: str, chosen: str) -> None:
    response = ask(http, LABEL_OF_STROKE, accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == chosen


def test_format_parameter_overrides_accept(http: httpx.Client) -> None:
    select = ask(http, LABEL_OF_STROKE, JSON_RESULTS, format="csv")
    construct = ask(http, CONSTRUCT_GBS, "text/turtle", format="application/n-triples")
    assert select.headers["content-type"].startswith("text/csv")
    assert rdf(construct, "application/n-triples")


@pytest.mark.parametrize(
    ("query", "accept", "listed"),
    [
        (LABEL_OF_STROKE, "text/turtle", JSON_RESULTS),
        (CONSTRUCT_GBS, JSON_RESULTS, "text/turtle"),
        (STROKE_IS_A_CAUSE, "image/png, text/html;q=0.9", XML_RESULTS),
    ],
)
def test_unacceptable_accept_is_406_listing_what_is_available(
    http: httpx.Client, query: str, accept: str, listed: str
) -> None:
    response = ask(http, query, accept)
    assert response.status_code == 406
    assert listed in response.json()["detail"]


# Read-only: every form of update is refused and nothing changes.

NEW_TRIPLE = "<https://w3id.org/clinkg/id/intruder> <http://www.w3.org/2000/01/rdf-schema#label> 'x'"
UPDATES = [
    f"INSERT DATA {{ {NEW_TRIPLE} }}",
    f"{PREFIXES}DELETE WHERE {{ id:stroke rdfs:label ?l }}",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 'changed' } WHERE { ?s ?p ?o }",
    f"WITH <{ONTOLOGY_GRAPH}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "DROP ALL",
    f"CLEAR GRAPH <{ONTOLOGY_GRAPH}>",
    "CREATE GRAPH <https://w3id.org/clinkg/graph/new>",
    f"# a comment\nPREFIX x: <http://x/#>\nCOPY <{ONTOLOGY_GRAPH}> TO <https://w3id.org/clinkg/graph/new>",
]


def _as_update_parameter(http: httpx.Client, update: str) -> httpx.Response:
    return http.get("/sparql", params={"update": update})


def _as_update_form(http: httpx.Client, update: str) -> httpx.Response:
    return http.post("/sparql", data={"update": update})


def _as_update_body(http: httpx.Client, update: str) -> httpx.Response:
    return http.post("/sparql", content=update, headers={"content-type": "application/sparql-update"})


def _as_get_query(http: httpx.Client, update: str) -> httpx.Response:
    return http.get("/sparql", params={"query": update})


def _as_form_query(http: httpx.Client, update: str) -> httpx.Response:
    return http.post("/sparql", data={"query": update})


def _as_query_body(http: httpx.Client, update: str) -> httpx.Response:
    return http.post("/sparql", content=update, headers={"content-type": "application/sparql-query"})


@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize(
    "send",
    [_as_update_parameter, _as_update_form, _as_update_body, _as_get_query, _as_form_query, _as_query_body],
)
def test_updates_are_refused_and_change_nothing(
    http: httpx.Client, send: Callable[[httpx.Client, str], httpx.Response], update: str
) -> None:
    before = triple_count(http)
    response = send(http, update)
    assert response.status_code == 403, response.text
    assert "read-only" in response.json()["detail"]
    assert triple_count(http) == before
    assert bindings(ask(http, LABEL_OF_STROKE)) == [{"label": "Stroke"}]
    assert ask(http, f"ASK {{ {NEW_TRIPLE} }}").json()["boolean"] is False


# SERVICE: refused before anything runs, so the server never calls out.


@pytest.fixture
def listener() -> Iterator[tuple[socket.socket, str]]:
    """A local TCP port that records whether anyone connected, and its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        sock.setblocking(False)
        yield sock, f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"


def _nobody_connected(sock: socket.socket) -> bool:
    try:
        sock.accept()[0].close()
    except BlockingIOError:
        return True
    return False


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "ASK {{ ?s ?p ?o . OPTIONAL {{ service silent <{url}> {{ ?s ?p ?o }} }} }}",
        "CONSTRUCT WHERE {{ ?s ?p ?o . SeRvIcE<{url}>{{ ?s ?p ?o }} }}",
        "PREFIX ex: <http://ex/service#>\nSELECT * {{ ?s ex:service 'service' . SERVICE <{url}> {{ ?s ?p ?o }} }}",
        # `<` as less-than next to a quote: a naive tokenizer would read an IRI, then hide SERVICE in a string.
        "SELECT * {{ ?s ?p ?o FILTER(?s<?p&&'>'!='') SERVICE <{url}> {{ ?s ?p ?o }} FILTER('x'!='') }}",
    ],
)
def test_service_is_refused_without_calling_out(
    http: httpx.Client, listener: tuple[socket.socket, str], template: str
) -> None:
    sock, url = listener
    response = ask(http, template.format(url=url))
    assert response.status_code == 403, response.text
    assert "SERVICE" in response.json()["detail"]
    assert _nobody_connected(sock)


def test_the_word_service_elsewhere_is_not_a_service_clause(http: httpx.Client) -> None:
    query = (
        "PREFIX service: <http://example.org/service#>\n"
        "SELECT ?label WHERE { <https://w3id.org/clinkg/id/stroke> <http://www.w3.org/2000/01/rdf-schema#label>"
        " ?label  # SERVICE <http://example.org/> { }\n"
        "  FILTER(?label != 'SERVICE <http://example.org/sparql> { ?s ?p ?o }' && ?label != service:x) }"
    )
    assert bindings(ask(http, query)) == [{"label": "Stroke"}]


def test_service_runs_when_enabled(build_dir: Path, base_url: str) -> None:
    # A second app with federation on, whose SERVICE clause asks the live server.
    app = create_app(Settings(build_dir=build_dir, sparql_service_enabled=True))
    query = (
        PREFIXES + f"SELECT ?label WHERE {{ SERVICE <{base_url}/sparql> {{ id:stroke rdfs:label ?label }} }}"
    )
    with TestClient(app) as client:
        response = client.get("/sparql", params={"query": query}, headers={"accept": JSON_RESULTS})
    assert response.status_code == 200, response.text
    assert [row["label"]["value"] for row in response.json()["results"]["bindings"]] == ["Stroke"]


# Errors: syntax, size, missing query, other backends.


def test_syntax_error_is_400_with_the_parsers_message(http: httpx.Client) -> None:
    broken = "SELECT ?s WHERE { ?s ?p }"
    with pytest.raises(SyntaxError) as parser:
        ox.Store().query(broken)
    response = ask(http, broken)
    assert response.status_code == 400
    assert str(parser.value) in response.json()["detail"]


def test_oversized_query_is_413(http: httpx.Client) -> None:
    limit = Settings().sparql_max_query_chars
    query = LABEL_OF_STROKE + "#" * (limit + 1 - len(LABEL_OF_STROKE))
    response = http.post("/sparql", data={"query": query})
    assert response.status_code == 413
    assert str(limit) in response.json()["detail"]


@pytest.mark.parametrize(
    "send",
    [
        # GET without query= describes the service (test_sparql_description.py); an empty one is missing.
        lambda http: http.get("/sparql", params={"query": ""}),
        lambda http: http.post("/sparql", data={"format": "json"}),
        lambda http: http.post(
            "/sparql", content=b"  ", headers={"content-type": "application/sparql-query"}
        ),
    ],
)
def test_missing_query_is_400(http: httpx.Client, send: Callable[[httpx.Client], httpx.Response]) -> None:
    response = send(http)
    assert response.status_code == 400
    assert "missing query" in response.json()["detail"]


def test_unknown_post_body_is_415(http: httpx.Client) -> None:
    response = http.post("/sparql", content=LABEL_OF_STROKE, headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert "application/sparql-query" in response.json()["detail"]


class _GraphOnlyBackend(Backend):
    name = "neo4j"

    def run(self, query_name: str, parameters: Mapping[str, str] | None = None) -> list[Row]:
        return []

    def triple_count(self) -> int:
        return 0


def test_other_backends_answer_503() -> None:
    with TestClient(create_app(Settings(), backend=_GraphOnlyBackend())) as client:
        response = client.get("/sparql", params={"query": LABEL_OF_STROKE})
    assert response.status_code == 503
    assert "embedded RDF store" in response.json()["detail"]


# A standard client: SPARQLWrapper.


def _wrapper(base_url: str, query: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{base_url}/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select(base_url: str, method: str) -> None:
    client = _wrapper(base_url, LABEL_OF_STROKE, JSON)
    client.setMethod(method)
    result = client.queryAndConvert()
    assert isinstance(result, dict)
    assert [row["label"]["value"] for row in result["results"]["bindings"]] == ["Stroke"]


def test_sparqlwrapper_ask(base_url: str) -> None:
    as_json = _wrapper(base_url, STROKE_IS_A_CAUSE, JSON).queryAndConvert()
    as_xml = _wrapper(base_url, STROKE_IS_A_CAUSE, XML).queryAndConvert()
    assert isinstance(as_json, dict)
    assert as_json["boolean"] is True
    assert isinstance(as_xml, Document)
    assert as_xml.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]


@pytest.mark.parametrize("return_format", [XML, TURTLE, JSONLD])
def test_sparqlwrapper_construct(base_url: str, return_format: str) -> None:
    graph = _wrapper(base_url, CONSTRUCT_GBS, return_format).queryAndConvert()
    if isinstance(graph, bytes):  # SPARQLWrapper parses RDF/XML and JSON-LD, hands Turtle back as is
        graph = Graph().parse(data=graph, format="turtle")
    assert isinstance(graph, Graph)
    gbs = URIRef(ID["guillain-barre-syndrome"])
    assert (gbs, RDFS.label, Literal("Guillain-Barré syndrome")) in graph
    assert (gbs, CKG.presentsWith, ID["leg-weakness"]) in graph
