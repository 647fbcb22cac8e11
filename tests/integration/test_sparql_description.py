"""What the SPARQL endpoint says about itself and the formats it writes, over HTTP: the W3C Service
Description at GET /sparql without a query (or the workbench page to a browser), the VoID description of
the dataset, Turtle and TriG that declare prefixes, and the formats a new user found missing (N3, TriG,
N-Quads, JSON on CONSTRUCT), which go through the same capped workers as every answer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from clinkg.ontology import CKG, CURATED_GRAPH, HPO_GRAPH, ID, ONTOLOGY_GRAPH
from clinkg.service.settings import Settings

from .conftest import live_server

pytestmark = pytest.mark.integration

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
CURATED, ONTOLOGY, HPO = CURATED_GRAPH, ONTOLOGY_GRAPH, HPO_GRAPH
JSON_RESULTS = "application/sparql-results+json"
BROWSER = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7"
)
# Each RDF media type the endpoint offers for a graph, and how rdflib reads it.
RDF_PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "text/n3": "n3",
    "application/trig": "trig",
    "application/n-quads": "nquads",
    "application/json": "json-ld",
}
QUAD_FORMATS = {"application/trig", "application/n-quads"}
EVERY_FORMAT = {
    FORMATS[name]
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
        "N3",
        "TriG",
        "N-Quads",
    )
}
EXAMPLE = "http://example.org/ns#"
# A CONSTRUCT in a namespace of its own (ex:) over clinkg's (ckg:, written in full in the query).
CONSTRUCT = (
    f"PREFIX ex: <{EXAMPLE}>\n"
    "CONSTRUCT { ?cause ex:presents ?finding ; ex:name ?label }\n"
    "WHERE { ?cause <https://w3id.org/clinkg/ontology#presentsWith> ?finding ;\n"
    "  <http://www.w3.org/2000/01/rdf-schema#label> ?label .\n"
    "  FILTER (?cause = <https://w3id.org/clinkg/id/guillain-barre-syndrome>) }"
)
DESCRIBE = "DESCRIBE <https://w3id.org/clinkg/id/stroke>"


def get(http: httpx.Client, path: str, accept: str | None = None, **params: str) -> httpx.Response:
    headers = {"accept": accept} if accept is not None else {}
    return http.get(path, params=params, headers=headers)


def parsed(response: httpx.Response, media_type: str) -> Graph:
    """The RDF answer read by rdflib in the format it claims; a dataset's default graph for TriG and
    N-Quads (a graph answered as a dataset has nothing in any named graph)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    if media_type in QUAD_FORMATS:
        dataset = Dataset()
        dataset.parse(data=response.content, format=RDF_PARSERS[media_type])
        assert [g for g in dataset.graphs() if g.identifier != dataset.default_context.identifier] == []
        graph = Graph()
        for triple in dataset.default_context:
            graph.add(triple)
        return graph
    return Graph().parse(data=response.content, format=RDF_PARSERS[media_type])


def count(http: httpx.Client, query: str) -> int:
    """The single number a SELECT (COUNT(...) AS ?n) answers."""
    response = get(http, "/sparql", JSON_RESULTS, query=query)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def one(graph: Graph, subject: Any, predicate: URIRef) -> Any:
    """The one value of a property (fails when there are none or several)."""
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def named_graphs(graph: Graph, dataset: Any) -> dict[URIRef, Any]:
    """The named graphs of a described dataset: name -> the node its figures hang on."""
    found = {}
    for named in graph.objects(dataset, SD.namedGraph):
        found[one(graph, named, SD.name)] = one(graph, named, SD.graph)
    return found


@pytest.fixture(scope="module")
def description(http: httpx.Client) -> Graph:
    """The service description as a client with no preference reads it (Turtle)."""
    return parsed(get(http, "/sparql"), "text/turtle")


@pytest.fixture(scope="module")
def void(http: httpx.Client) -> Graph:
    """The VoID description of the curated release."""
    return parsed(get(http, "/void"), "text/turtle")


# ---------------------------------------------------------------- the service description


def test_get_without_a_query_describes_the_service(
    http: httpx.Client, base_url: str, description: Graph
) -> None:
    service = URIRef(f"{base_url}/sparql")
    assert (service, RDF.type, SD.Service) in description
    assert one(description, service, SD.endpoint) == service
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in description
    assert set(description.objects(service, SD.resultFormat)) == EVERY_FORMAT
    assert set(description.objects(service, SD.feature)) == {SD.UnionDefaultGraph}  # SERVICE is off
    assert get(http, "/sparql").headers["vary"] == "Accept"


def test_the_default_dataset_counts_its_graphs(http: httpx.Client, base_url: str, description: Graph) -> None:
    service = URIRef(f"{base_url}/sparql")
    dataset = one(description, service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in description
    default = one(description, dataset, SD.defaultGraph)
    total = http.get("/health").json()["triples"]
    assert one(description, default, VOID.triples) == Literal(total, datatype=XSD.integer)
    graphs = named_graphs(description, dataset)
    assert set(graphs) == {CURATED, ONTOLOGY}  # a curated release: no HPO graph
    per_graph = {name: int(one(description, node, VOID.triples)) for name, node in graphs.items()}
    for name, triples in per_graph.items():
        assert (
            triples == count(http, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}") > 0
        )
    assert sum(per_graph.values()) == total


def test_the_service_description_links_the_void_description(
    base_url: str, description: Graph, void: Graph
) -> None:
    service = URIRef(f"{base_url}/sparql")
    dataset = one(description, service, SD.defaultDataset)
    assert dataset == URIRef(f"{base_url}/void#dataset")
    assert one(description, service, RDFS.seeAlso) == URIRef(f"{base_url}/void")
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert one(void, dataset, VOID.sparqlEndpoint) == service


@pytest.mark.parametrize("media_type", list(RDF_PARSERS))
def test_the_service_description_in_each_rdf_format(
    http: httpx.Client, base_url: str, description: Graph, media_type: str
) -> None:
    graph = parsed(get(http, "/sparql", media_type), media_type)
    service = URIRef(f"{base_url}/sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert set(graph.objects(service, SD.resultFormat)) == EVERY_FORMAT
    assert len(graph) == len(description)


def test_the_service_description_by_format_name_and_406_otherwise(http: httpx.Client) -> None:
    assert get(http, "/sparql", "text/turtle", format="nt").headers["content-type"] == "application/n-triples"
    refused = get(http, "/sparql", "text/csv")
    assert refused.status_code == 406
    assert "text/turtle" in refused.json()["detail"] and "application/n-quads" in refused.json()["detail"]


def test_federation_is_a_feature_only_when_enabled(build_dir: Path) -> None:
    with (
        live_server(Settings(build_dir=build_dir, sparql_service_enabled=True)) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        graph = parsed(get(client, "/sparql"), "text/turtle")
    assert set(graph.objects(URIRef(f"{url}/sparql"), SD.feature)) == {
        SD.UnionDefaultGraph,
        SD.BasicFederatedQuery,
    }


def test_an_hpo_release_describes_its_hpo_graph(hpo_http: httpx.Client) -> None:
    graph = parsed(get(hpo_http, "/sparql"), "text/turtle")
    (service,) = graph.subjects(RDF.type, SD.Service)
    dataset = one(graph, service, SD.defaultDataset)
    graphs = named_graphs(graph, dataset)
    assert set(graphs) == {CURATED, ONTOLOGY, HPO}
    hpo_triples = count(hpo_http, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{HPO}> {{ ?s ?p ?o }} }}")
    assert int(one(graph, graphs[HPO], VOID.triples)) == hpo_triples > 10_000
    hpoa = {str(s) for s in graph.objects(graphs[HPO], DCTERMS.source)}
    assert "http://purl.obolibrary.org/obo/hp.obo" in hpoa
    assert any(source.startswith(str(ID["source/phenotype-hpoa-"])) for source in hpoa)


# ---------------------------------------------------------------- a browser


def test_a_browser_gets_the_workbench_page(http: httpx.Client) -> None:
    page = get(http, "/sparql", BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["vary"] == "Accept"
    title = re.search(r"<title>(.*?)</title>", page.text, re.S)
    assert title and "SPARQL" in title.group(1)


@pytest.mark.parametrize(
    ("accept", "params"),
    [
        (None, {}),  # no preference: the description
        ("*/*", {}),  # HTML not preferred over Turtle
        ("text/html;q=0.5, text/turtle", {}),
        ("text/html, text/turtle", {}),  # a tie is not a preference
        (BROWSER, {"format": "turtle"}),  # format= asks for RDF
    ],
)
def test_only_a_preference_for_html_gets_the_page(
    http: httpx.Client, accept: str | None, params: dict[str, str]
) -> None:
    response = get(http, "/sparql", accept, **params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")


def test_a_browser_with_a_query_gets_results_not_the_page(http: httpx.Client) -> None:
    select = get(
        http,
        "/sparql",
        BROWSER,
        query="SELECT ?s WHERE { ?s a <https://w3id.org/clinkg/ontology#Cause> } LIMIT 1",
    )
    construct = get(http, "/sparql", BROWSER, query=DESCRIBE)
    assert select.status_code == construct.status_code == 200
    # application/xml;q=0.9 is the browser's best match among the results formats.
    assert select.headers["content-type"].startswith("application/xml")
    assert "http://www.w3.org/2005/sparql-results#" in select.text
    assert construct.headers["content-type"].startswith("text/turtle")


# ---------------------------------------------------------------- VoID


def test_void_describes_the_dataset(http: httpx.Client, base_url: str, void: Graph) -> None:
    dataset = URIRef(f"{base_url}/void#dataset")
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert int(one(void, dataset, VOID.triples)) == http.get("/health").json()["triples"]
    causes = count(
        http, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/clinkg/ontology#Cause> }"
    )
    typed = count(http, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?class FILTER (isIRI(?e)) }")
    assert int(one(void, dataset, VOID.entities)) == typed > causes > 10
    assert one(void, dataset, VOID.uriSpace) == Literal(str(ID))
    assert str(
        one(void, URIRef(f"{base_url}/void"), URIRef("http://xmlns.com/foaf/0.1/primaryTopic"))
    ) == str(dataset)


def test_void_partitions_count_classes_and_properties(http: httpx.Client, base_url: str, void: Graph) -> None:
    dataset = URIRef(f"{base_url}/void#dataset")
    classes = {
        one(void, p, VOID["class"]): int(one(void, p, VOID.entities))
        for p in void.objects(dataset, VOID.classPartition)
    }
    properties = {
        one(void, p, VOID.property): int(one(void, p, VOID.triples))
        for p in void.objects(dataset, VOID.propertyPartition)
    }
    assert classes[CKG.Cause] == count(
        http, f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a <{CKG.Cause}> }}"
    )
    assert properties[CKG.presentsWith] == count(
        http, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{CKG.presentsWith}> ?o }}"
    )
    assert sum(properties.values()) == int(one(void, dataset, VOID.triples))
    assert int(one(void, dataset, VOID.classes)) == len(classes)
    assert int(one(void, dataset, VOID.properties)) == len(properties)


def test_void_subsets_carry_licence_and_sources(base_url: str, void: Graph) -> None:
    dataset = URIRef(f"{base_url}/void#dataset")
    graphs = named_graphs(void, dataset)
    curated = graphs[CURATED]
    assert set(void.objects(dataset, VOID.subset)) == set(graphs.values())
    assert one(void, curated, DCTERMS.license) == URIRef("https://www.apache.org/licenses/LICENSE-2.0")
    assert ID["leg-weakness-article"] in set(void.objects(curated, DCTERMS.source))
    assert ID["leg-weakness-article"] in set(void.objects(dataset, DCTERMS.source))
    assert not isinstance(curated, BNode)  # described by ontology/void.ttl, titled
    assert one(void, curated, DCTERMS.title)


@pytest.mark.parametrize("media_type", list(RDF_PARSERS))
def test_void_in_each_rdf_format_and_at_the_well_known_address(
    http: httpx.Client, void: Graph, media_type: str
) -> None:
    graph = parsed(get(http, "/void", media_type), media_type)
    assert isomorphic(graph, void)
    assert isomorphic(parsed(get(http, "/.well-known/void", media_type), media_type), void)


def test_void_refuses_what_it_cannot_write(http: httpx.Client) -> None:
    assert get(http, "/void", JSON_RESULTS).status_code == 406


# ---------------------------------------------------------------- prefixes in Turtle and TriG


def prefix_lines(text: str) -> dict[str, str]:
    return dict(re.findall(r"^@prefix ([\w.-]*): <([^>]*)> \.$", text, re.M))


@pytest.mark.parametrize("media_type", ["text/turtle", "application/trig", "text/n3"])
def test_graphs_declare_the_query_s_and_clinkg_s_prefixes(http: httpx.Client, media_type: str) -> None:
    response = get(http, "/sparql", media_type, query=CONSTRUCT)
    declared = prefix_lines(response.text)
    assert declared["ex"] == EXAMPLE
    assert declared["clinkg"] == str(ID) and declared["ckg"] == str(CKG) and declared["hp"].endswith("/HP_")
    assert "clinkg:guillain-barre-syndrome ex:" in response.text  # prefixed names, not full IRIs
    plain = parsed(get(http, "/sparql", "application/n-triples", query=CONSTRUCT), "application/n-triples")
    assert isomorphic(parsed(response, media_type), plain) and len(plain) >= 3


def test_a_namespace_the_query_names_keeps_the_query_s_name(http: httpx.Client) -> None:
    query = f"PREFIX id: <{ID}>\nCONSTRUCT {{ id:stroke ?p ?o }} WHERE {{ id:stroke ?p ?o }}"
    declared = prefix_lines(get(http, "/sparql", "text/turtle", query=query).text)
    assert declared["id"] == str(ID)
    assert "clinkg" not in declared  # one name for one namespace


def test_other_graph_formats_write_full_iris(http: httpx.Client) -> None:
    for media_type in ("application/n-triples", "application/n-quads"):
        assert "@prefix" not in get(http, "/sparql", media_type, query=CONSTRUCT).text


# ---------------------------------------------------------------- the formats a new user missed


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
@pytest.mark.parametrize("media_type", ["text/n3", "application/trig", "application/n-quads"])
def test_construct_and_describe_in_n3_trig_and_n_quads(
    http: httpx.Client, query: str, media_type: str
) -> None:
    graph = parsed(get(http, "/sparql", media_type, query=query), media_type)
    plain = parsed(get(http, "/sparql", "application/n-triples", query=query), "application/n-triples")
    assert isomorphic(graph, plain) and len(plain) >= 3


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("n3", "text/n3"), ("trig", "application/trig"), ("nquads", "application/n-quads")],
)
def test_format_names_of_the_new_formats(http: httpx.Client, name: str, media_type: str) -> None:
    assert (
        get(http, "/sparql", "text/turtle", query=DESCRIBE, format=name)
        .headers["content-type"]
        .startswith(media_type)
    )


def test_accept_json_on_construct_is_json_ld(http: httpx.Client) -> None:
    as_json = get(http, "/sparql", "application/json", query=CONSTRUCT)
    by_name = get(http, "/sparql", None, query=CONSTRUCT, format="json")
    assert as_json.headers["content-type"].startswith("application/json")
    assert by_name.headers["content-type"].startswith("application/ld+json")
    assert as_json.content == by_name.content
    assert isomorphic(parsed(as_json, "application/json"), parsed(by_name, "application/ld+json"))
    # SELECT keeps SPARQL JSON results for the same Accept.
    select = get(http, "/sparql", "application/json", query="SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
    assert "results" in select.json()


def test_truly_unsupported_types_are_still_406_listing_the_new_ones(http: httpx.Client) -> None:
    refused = get(http, "/sparql", "text/csv, image/png", query=CONSTRUCT)
    assert refused.status_code == 406
    for offered in ("text/n3", "application/trig", "application/n-quads", "application/json"):
        assert offered in refused.json()["detail"]


@pytest.fixture(scope="module")
def capped(build_dir: Path) -> Iterator[httpx.Client]:
    """A service whose answers may hold at most 20 triples or 2,000 bytes."""
    settings = Settings(build_dir=build_dir, sparql_max_rows=20, sparql_max_result_bytes=2000)
    with live_server(settings) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


@pytest.mark.parametrize(
    "media_type", ["text/n3", "application/trig", "application/n-quads", "application/json"]
)
def test_new_formats_are_capped_like_every_answer(capped: httpx.Client, media_type: str) -> None:
    many = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 21"
    rows = get(capped, "/sparql", media_type, query=many)
    assert rows.status_code == 422 and "CLINKG_SPARQL_MAX_ROWS" in rows.json()["detail"]
    statements = "CONSTRUCT { ?a ?p ?s } WHERE { ?a ?p ?s FILTER (?p = <https://w3id.org/clinkg/ontology#statement>) } LIMIT 20"
    size = get(capped, "/sparql", media_type, query=statements)
    assert size.status_code == 422 and "CLINKG_SPARQL_MAX_RESULT_BYTES" in size.json()["detail"]
    small = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER (?p = <http://www.w3.org/2000/01/rdf-schema#label>) } LIMIT 3"
    assert get(capped, "/sparql", media_type, query=small).status_code == 200  # under both caps
