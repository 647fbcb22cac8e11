"""What the endpoint says about itself: the W3C SPARQL 1.1 Service Description (GET /sparql without a query)
and the VoID description of its dataset (GET /void), from their files (service.ttl, ontology/void.ttl)
and the figures of the release served, which `statistics/*.rq` count once per release through the
workers. Also the standard prefixes every Turtle or TriG answer declares.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import pyoxigraph as ox

from clinkg import ontology
from clinkg.service.sparql.exec import in_default_graph
from clinkg.service.sparql.formats import FORMAT_IRIS, GRAPH, PREFIXED_FORMATS, SOLUTIONS, negotiate

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SD = "http://www.w3.org/ns/sparql-service-description#"
_VOID = "http://rdfs.org/ns/void#"
SD_SERVICE = ox.NamedNode(f"{_SD}Service")
SD_NAMED_GRAPH = ox.NamedNode(f"{_SD}NamedGraph")
SD_GRAPH = ox.NamedNode(f"{_SD}Graph")
VOID_DATASET = ox.NamedNode(f"{_VOID}Dataset")
SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
STATISTICS = ("entities", "graphs", "classes", "properties", "sources")
DATASET_FRAGMENT = "#dataset"


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(_SD + name)


def _void(name: str) -> ox.NamedNode:
    return ox.NamedNode(_VOID + name)


def standard_prefixes() -> dict[str, str]:
    """clinkg's prefixes, as the loaders bind them in every graph they write (ontology.graph_prefixes)."""
    return {prefix: str(namespace) for prefix, namespace in ontology.graph_prefixes().items()}


@dataclass(frozen=True)
class Statistics:
    """The figures of one release: triples of the default graph and of each named graph, typed entities,
    instances of each class, triples of each property, and the sources each named graph cites."""

    triples: int
    entities: int
    graphs: dict[str, int]
    classes: dict[str, int]
    properties: dict[str, int]
    sources: dict[str, list[str]]


Rows = list[dict[str, str]]


def statistics_query(name: str) -> str:
    """The text of `statistics/NAME.rq`."""
    return (files(__package__ or __name__) / "statistics" / f"{name}.rq").read_text(encoding="utf-8")


def rows_of(results_json: bytes) -> Rows:
    """The rows of a SPARQL JSON results document as {variable: value}."""
    bindings = json.loads(results_json)["results"]["bindings"]
    return [{name: term["value"] for name, term in row.items()} for row in bindings]


async def count(run: Callable[[str], Awaitable[Rows]]) -> Statistics:
    """The release's figures, each query of `statistics/` run by `run` (text in, rows out), one at a time:
    they take seconds on an HPO release, and side by side they would wait for each other's workers."""
    found = {name: await run(statistics_query(name)) for name in STATISTICS}
    sources: dict[str, list[str]] = {}
    for row in found["sources"]:
        sources.setdefault(row["graph"], []).append(row["source"])
    graphs = {row["graph"]: int(row["total"]) for row in found["graphs"]}
    return Statistics(
        # A release loads every triple into a named graph (loaders/build.py), and the default graph is
        # their union as Oxigraph counts it (as /health does): their sum, without a second full scan.
        triples=sum(graphs.values()),
        entities=int(found["entities"][0]["total"]),
        graphs=graphs,
        classes={row["class"]: int(row["total"]) for row in found["classes"]},
        properties={row["property"]: int(row["total"]) for row in found["properties"]},
        sources=sources,
    )


@cache
def _static(package: str, name: str) -> bytes:
    return (files(package) / name).read_bytes()


def _parse(package: str, name: str, base: str) -> tuple[list[ox.Triple], dict[str, str]]:
    parser = ox.parse(_static(package, name), format=ox.RdfFormat.TURTLE, base_iri=base)
    triples = [ox.Triple(quad.subject, quad.predicate, quad.object) for quad in parser]
    return triples, dict(parser.prefixes)


def void_description(void_url: str, stats: Statistics) -> tuple[list[ox.Triple], dict[str, str]]:
    """The VoID description served at `void_url` (ontology/void.ttl with the release's figures), and the
    prefixes its file declares. The dataset is `<void_url#dataset>`."""
    triples, prefixes = _parse("clinkg.ontology", "void.ttl", void_url)
    dataset = ox.NamedNode(void_url + DATASET_FRAGMENT)
    described = _named_graphs(triples)
    absent = {
        node
        for name, (named, subset) in described.items()
        if name not in stats.graphs
        for node in (named, subset)
    }
    out = [triple for triple in triples if triple.subject not in absent]

    def figure(subject: ox.NamedNode | ox.BlankNode, name: str, value: int) -> None:
        out.append(ox.Triple(subject, _void(name), ox.Literal(value)))

    for name in ("triples", "entities"):
        figure(dataset, name, getattr(stats, name))
    figure(dataset, "classes", len(stats.classes))
    figure(dataset, "properties", len(stats.properties))
    default = ox.BlankNode()
    out += [ox.Triple(dataset, _sd("defaultGraph"), default), ox.Triple(default, RDF_TYPE, SD_GRAPH)]
    figure(default, "triples", stats.triples)
    for name, total in sorted(stats.graphs.items()):
        named, subset = described.get(name) or _undescribed(out, name)
        out += [ox.Triple(dataset, _sd("namedGraph"), named), ox.Triple(dataset, _void("subset"), subset)]
        figure(subset, "triples", total)
        for source in stats.sources.get(name, []):
            out += [
                ox.Triple(subset, SOURCE, ox.NamedNode(source)),
                ox.Triple(dataset, SOURCE, ox.NamedNode(source)),
            ]
    for kind, key, totals in (
        ("class", "entities", stats.classes),
        ("property", "triples", stats.properties),
    ):
        for iri, total in sorted(totals.items()):
            partition = ox.BlankNode()
            out += [
                ox.Triple(dataset, _void(f"{kind}Partition"), partition),
                ox.Triple(partition, _void(kind), ox.NamedNode(iri)),
            ]
            figure(partition, key, total)
    return out, prefixes


def _named_graphs(triples: Sequence[ox.Triple]) -> dict[str, tuple[ox.NamedNode, ox.NamedNode]]:
    """The file's named graphs: their name in the store -> (the sd:NamedGraph, its VoID subset)."""
    names = {t.subject: t.object for t in triples if t.predicate == _sd("name")}
    graphs = {t.subject: t.object for t in triples if t.predicate == _sd("graph")}
    found: dict[str, tuple[ox.NamedNode, ox.NamedNode]] = {}
    for node, name in names.items():
        subset = graphs.get(node)
        if (
            isinstance(node, ox.NamedNode)
            and isinstance(name, ox.NamedNode)
            and isinstance(subset, ox.NamedNode)
        ):
            found[name.value] = (node, subset)
    return found


def _undescribed(out: list[ox.Triple], name: str) -> tuple[ox.BlankNode, ox.BlankNode]:
    # A graph the file does not know (a release made by a newer importer) is still listed, untitled.
    named, subset = ox.BlankNode(), ox.BlankNode()
    out += [
        ox.Triple(named, RDF_TYPE, SD_NAMED_GRAPH),
        ox.Triple(named, _sd("name"), ox.NamedNode(name)),
        ox.Triple(named, _sd("graph"), subset),
        ox.Triple(subset, RDF_TYPE, SD_GRAPH),
        ox.Triple(subset, RDF_TYPE, VOID_DATASET),
    ]
    return named, subset


def service_description(
    endpoint: str, void_url: str, stats: Statistics, federation: bool
) -> tuple[list[ox.Triple], dict[str, str]]:
    """The Service Description of the endpoint at `endpoint` (service.ttl, every result format offered,
    federation when enabled) with its default dataset as described at `void_url`, and the prefixes the
    two files declare."""
    triples, prefixes = _parse(__package__ or __name__, "service.ttl", endpoint)
    service = ox.NamedNode(endpoint)
    offered = dict.fromkeys(
        FORMAT_IRIS[media] for media in (*SOLUTIONS.media_types, *GRAPH.media_types) if media in FORMAT_IRIS
    )
    triples += [ox.Triple(service, _sd("resultFormat"), ox.NamedNode(iri)) for iri in offered]
    if federation:
        triples.append(ox.Triple(service, _sd("feature"), _sd("BasicFederatedQuery")))
    dataset, dataset_prefixes = void_description(void_url, stats)
    return triples + dataset, {**prefixes, **dataset_prefixes}


def serialize(
    triples: Iterable[ox.Triple], prefixes: Mapping[str, str], accept: str | None, formats: Sequence[str]
) -> tuple[str, bytes]:
    """A description in the format negotiated as for CONSTRUCT (NotAcceptableError when none fits); Turtle
    and TriG declare the file's prefixes and the standard ones."""
    media = negotiate(GRAPH, accept, formats)
    form = GRAPH.media_types[media]
    graph: Iterable[ox.Triple] | Iterable[ox.Quad] = (
        in_default_graph(triples) if form.supports_datasets else triples
    )
    declared = {**standard_prefixes(), **prefixes} if form in PREFIXED_FORMATS else None
    return media, ox.serialize(graph, format=form, prefixes=declared) or b""
