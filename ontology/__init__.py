"""The ontology's files (clinkg.ttl, shapes.ttl, mapping.tsv), its namespaces and its name table."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

CKG = Namespace("https://w3id.org/clinkg/ontology#")
ID = Namespace("https://w3id.org/clinkg/id/")
HP = Namespace("http://purl.obolibrary.org/obo/HP_")
ICD10CM = Namespace("http://purl.bioontology.org/ontology/ICD10CM/")

ONTOLOGY_IRI = URIRef("https://w3id.org/clinkg/ontology")
CURATED_GRAPH = URIRef("https://w3id.org/clinkg/graph/curated")
ONTOLOGY_GRAPH = URIRef("https://w3id.org/clinkg/graph/ontology")
# The HPO import (`clinkg import hpo`): HP terms, HPO diseases and phenotype.hpoa annotations.
HPO_GRAPH = URIRef("https://w3id.org/clinkg/graph/hpo")

PREFIXES: dict[str, Namespace] = {
    "clinkg": ID,
    "ckg": CKG,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "skos": Namespace(str(SKOS)),
    "xsd": Namespace(str(XSD)),
}

# CURIE prefix -> IRI namespace of cross-references (external codes).
XREF_NAMESPACES: dict[str, Namespace] = {"HP": HP, "ICD10CM": ICD10CM}


def graph_prefixes() -> dict[str, Namespace]:
    """The prefixes every graph clinkg writes or answers is bound with: the ontology's, and the code
    systems' in lower case (hp:, icd10cm:)."""
    return {**PREFIXES, **{prefix.lower(): ns for prefix, ns in XREF_NAMESPACES.items()}}


def local_name(iri: object) -> str:
    """The part of an ontology IRI after `#` (ckg:Cause -> "Cause")."""
    return str(iri).rsplit("#", 1)[-1]


def resource(name: str) -> Traversable:
    """A data file of this package (clinkg.ttl, shapes.ttl, mapping.tsv)."""
    return files(__name__) / name


@dataclass(frozen=True)
class Name:
    """One row of mapping.tsv: a YAML name, its RDF term, its Neo4j name and its Biolink term."""

    role: str
    yaml: str
    rdf: URIRef
    neo4j: str
    biolink: str | None


def _expand(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(str(PREFIXES[prefix]) + local)


@cache
def names() -> tuple[Name, ...]:
    """Every row of the name table."""
    text = resource("mapping.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t")
    return tuple(
        Name(
            r["role"], r["yaml"], _expand(r["rdf"]), r["neo4j"], None if r["biolink"] == "-" else r["biolink"]
        )
        for r in rows
    )


def name(role: str, yaml_name: str) -> Name:
    """The row with this role and YAML name (KeyError when there is none)."""
    for row in names():
        if row.role == role and row.yaml == yaml_name:
            return row
    raise KeyError(f"{role} {yaml_name!r} is not in ontology/mapping.tsv")


def by_role(role: str) -> dict[str, Name]:
    """The rows of one role, keyed by YAML name."""
    return {row.yaml: row for row in names() if row.role == role}


@cache
def graph() -> Graph:
    """The ontology (clinkg.ttl) parsed once per process; callers must not modify it."""
    parsed = Graph()
    parsed.parse(data=resource("clinkg.ttl").read_text(encoding="utf-8"), format="turtle")
    return parsed


@cache
def vocabulary(scheme: str) -> frozenset[str]:
    """The values (skos:notation) of one of the ontology's vocabularies, e.g. vocabulary("Onsets")."""
    g = graph()
    found = frozenset(
        str(g.value(concept, SKOS.notation)) for concept in g.subjects(SKOS.inScheme, CKG[scheme])
    )
    if not found:
        raise KeyError(f"ckg:{scheme} is not a vocabulary of ontology/clinkg.ttl")
    return found


@cache
def agreements(scheme: str) -> dict[str, frozenset[str]]:
    """For a vocabulary of reported values (Sides, ReportedCourses): each value -> the qualifier values it
    agrees with (ckg:agreesWith)."""
    g = graph()
    return {
        str(g.value(concept, SKOS.notation)): frozenset(
            str(g.value(other, SKOS.notation)) for other in g.objects(concept, CKG.agreesWith)
        )
        for concept in g.subjects(SKOS.inScheme, CKG[scheme])
    }


@cache
def urgency_ranks() -> dict[str, int]:
    """The urgency levels (labels of the ckg:UrgencyLevel individuals) -> rank, higher more urgent."""
    g = graph()
    return {
        str(g.value(level, RDFS.label)): int(g.value(level, CKG.rank).toPython())  # type: ignore[union-attr]
        for level in g.subjects(RDF.type, CKG.UrgencyLevel)
    }
