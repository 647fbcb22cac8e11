"""Curated content -> rdflib graph, following ontology/clinkg.ttl and the names in mapping.tsv.

Every edge is written twice: as the direct triple (for path queries) and as a `ckg:Assertion` node that
carries its provenance and qualifiers (for "why does the graph say this?"). IRIs are derived from ids,
so building twice gives the same graph.
"""

from __future__ import annotations

from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from clinkg import ontology
from clinkg.loaders.content import Content, Edge
from clinkg.loaders.models import CLASS_OF_KEY, Coded, Entity, Locator
from clinkg.ontology import CKG, ID, XREF_NAMESPACES

ATTR = ontology.by_role("attribute")
REL = ontology.by_role("relation")
QUAL = ontology.by_role("qualifier")
PROV = ontology.by_role("provenance")


def entity_iri(entity_id: str) -> URIRef:
    """The IRI of a curated entity."""
    return ID[entity_id]


def xref_iri(curie: str) -> URIRef:
    """The IRI of a cross-reference CURIE (HP:0007340 -> http://purl.obolibrary.org/obo/HP_0007340)."""
    prefix, local = curie.split(":", 1)
    return URIRef(str(XREF_NAMESPACES[prefix]) + quote(local, safe="."))


def assertion_iri(subject: str, predicate: str, obj: str) -> URIRef:
    """The IRI of the assertion node of one edge."""
    return ID[f"assertion/{subject}/{predicate}/{obj}"]


def _text(value: str) -> Literal:
    return Literal(value)


def _add_locator(graph: Graph, node: URIRef, loc: Locator) -> None:
    graph.add((node, PROV["source"].rdf, entity_iri(loc.source)))
    graph.add((node, PROV["section"].rdf, _text(loc.section)))
    graph.add((node, PROV["paragraph"].rdf, Literal(loc.paragraph, datatype=XSD.integer)))
    graph.add((node, PROV["statement"].rdf, _text(loc.statement)))


def _add_edge(graph: Graph, edge: Edge) -> None:
    p = REL[edge.predicate].rdf
    s, o = entity_iri(edge.subject), entity_iri(edge.object)
    graph.add((s, p, o))
    node = assertion_iri(edge.subject, edge.predicate, edge.object)
    graph.add((node, RDF.type, CKG.Assertion))
    graph.add((node, RDF.subject, s))
    graph.add((node, RDF.predicate, p))
    graph.add((node, RDF.object, o))
    _add_locator(graph, node, edge.locator)
    for key, value in sorted(edge.qualifiers.items()):
        graph.add((node, QUAL[key].rdf, _text(value)))


def _add_entity(graph: Graph, key: str, entity: Entity) -> None:
    node = entity_iri(entity.id)
    graph.add((node, RDF.type, ontology.name("class", CLASS_OF_KEY[key]).rdf))
    kind = getattr(entity, "kind", None)
    if kind is not None:
        graph.add((node, RDF.type, ontology.name("class", kind).rdf))
        graph.add((node, ATTR["kind"].rdf, _text(kind)))
    graph.add((node, ATTR["label"].rdf, _text(entity.label)))
    graph.add((node, ATTR["definition"].rdf, _text(entity.definition)))
    for synonym in entity.synonyms:
        graph.add((node, ATTR["synonyms"].rdf, _text(synonym)))
    if isinstance(entity, Coded):
        for relation, curie in entity.codes():
            graph.add((node, ATTR[relation].rdf, xref_iri(curie)))
    for attr in ("category", "urgency", "action", "safety_net"):
        value = getattr(entity, attr, None)
        if value is not None:
            graph.add((node, ATTR[attr].rdf, _text(value)))
    for index, loc in enumerate(entity.provenance, start=1):
        citation = ID[f"citation/{entity.id}/{index}"]
        graph.add((node, CKG.supportedBy, citation))
        graph.add((citation, RDF.type, CKG.Citation))
        _add_locator(graph, citation, loc)


def ontology_graph() -> Graph:
    """A copy of the ontology (clinkg.ttl) as a graph of its own."""
    graph = new_graph()
    graph += ontology.graph()
    return graph


def content_graph(content: Content) -> Graph:
    """The curated content as RDF (entities, citations, edges and their assertions)."""
    graph = new_graph()
    for source in content.sources:
        node = entity_iri(source.id)
        graph.add((node, RDF.type, CKG.Source))
        graph.add((node, ATTR["label"].rdf, _text(source.title)))
        graph.add((node, ATTR["title"].rdf, _text(source.title)))
        graph.add((node, ATTR["kind"].rdf, _text(source.kind)))
        if source.seed_file:
            graph.add((node, ATTR["seed_file"].rdf, _text(source.seed_file)))
    for key, entity in content.entities():
        _add_entity(graph, key, entity)
    for flag in content.red_flags:
        for onset in flag.when.onset:
            graph.add((entity_iri(flag.id), ATTR["when_onset"].rdf, _text(onset)))
        for side in flag.when.laterality:
            graph.add((entity_iri(flag.id), ATTR["when_laterality"].rdf, _text(side)))
    for edge in content.edges():
        _add_edge(graph, edge)
    return graph


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound."""
    graph = Graph()
    for prefix, namespace in ontology.graph_prefixes().items():
        graph.bind(prefix, namespace, override=True)
    return graph


def full_graph(content: Content) -> Graph:
    """Curated content plus the ontology: what is exported and validated."""
    graph = content_graph(content)
    graph += ontology.graph()
    return graph
