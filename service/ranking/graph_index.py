"""The service's in-memory view of the graph, loaded once from the backend through the query library.

The backend answers `entities`, `entity_attributes`, `edges` and `entity_citations`; everything the
differential, search, entities and paths need is indexed here so that requests are pure Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from clinkg import ontology
from clinkg.ontology import CKG
from clinkg.service.ranking.hierarchy import Hierarchy
from clinkg.service.ranking.ids import local_id, xref_curie
from clinkg.service.stores.base import Backend

QUALIFIER_KEYS = ("onset", "laterality", "course", "age_group", "timing", "context", "criterion_group")
_TYPES = {"cause": CKG.Cause, "mechanism": CKG.Mechanism, "finding": CKG.Finding, "red_flag": CKG.RedFlag,
          "test": CKG.DiagnosticTest, "triage_advice": CKG.TriageAdvice, "source": CKG.Source}  # fmt: skip
ENTITY_TYPES = tuple(_TYPES)
# A backend names a class by IRI (RDF) or by label (property graph); both lead to the API's type name.
TYPE_OF_CLASS = {
    **{str(iri): name for name, iri in _TYPES.items()},
    **{ontology.name("class", name).neo4j: name for name in _TYPES},
}


# The SKOS mapping relation of a cross-reference, as entity_attributes names it, -> the relation's short name.
MATCH_OF_ATTRIBUTE = {
    "xref": "exact",
    "close_match": "close",
    "broad_match": "broad",
    "narrow_match": "narrow",
}
# A code names the entity (a reference resolves through it) when the code means the concept or a kind of it.
IDENTIFYING = frozenset({"exact", "close", "narrow"})
# A patient who has the entity has the code (a curated item maps to it for HPO ranking) when the code means
# the concept or something broader.
IMPLIED = frozenset({"exact", "close", "broad"})


@dataclass(frozen=True)
class Provenance:
    """Where a statement comes from."""

    source: str
    section: str
    paragraph: int
    statement: str


@dataclass(frozen=True)
class Edge:
    """One edge: entity ids, the predicate's content name, qualifiers and provenance.

    A (subject, predicate, object) occurs once in a graph, so it is the edge's identity (and hash).
    """

    subject: str
    predicate: str
    object: str
    qualifiers: dict[str, str] = field(compare=False)
    provenance: Provenance = field(compare=False)


@dataclass
class Entity:
    """One entity with everything the API shows about it."""

    id: str
    type: str
    label: str
    definition: str = ""
    kind: str | None = None
    category: str | None = None
    urgency: str | None = None
    action: str | None = None
    safety_net: str | None = None
    synonyms: list[str] = field(default_factory=list)
    mappings: list[tuple[str, str]] = field(default_factory=list)  # (relation, CURIE): exact, close, ...
    when_onset: list[str] = field(default_factory=list)
    when_laterality: list[str] = field(default_factory=list)
    citations: list[Provenance] = field(default_factory=list)
    curie: str = field(init=False)

    def __post_init__(self) -> None:
        self.curie = f"clinkg:{self.id}"

    @property
    def xrefs(self) -> list[str]:
        """The codes whose official description is this concept (skos:exactMatch)."""
        return [code for relation, code in self.mappings if relation == "exact"]

    def codes(self, relations: frozenset[str]) -> list[str]:
        """The cross-references under these mapping relations."""
        return [code for relation, code in self.mappings if relation in relations]


class GraphIndex:
    """Entities and edges of the graph, with adjacency. References (ids, codes, labels) are read by
    ranking/resolver.py."""

    def __init__(
        self, entities: dict[str, Entity], edges: list[Edge], hierarchy: Hierarchy | None = None
    ) -> None:
        # The release's HPO hierarchy: an HP term no entity cites resolves through its nearest cited
        # ancestor (set by whoever loads the release, see ranking/hierarchy.py; read by the Resolver).
        self.hierarchy = hierarchy
        # Canonical orders, so that answers do not depend on how a backend happens to sort its rows.
        self.entities = dict(sorted(entities.items()))
        self.edges = sorted(edges, key=lambda e: (e.subject, e.predicate, e.object))
        self.out_edges: dict[str, list[Edge]] = defaultdict(list)
        self.in_edges: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.edges:
            self.out_edges[edge.subject].append(edge)
            self.in_edges[edge.object].append(edge)
        self.briefs = {
            e.id: {"id": e.curie, "label": e.label, "type": e.type} for e in self.entities.values()
        }

    @classmethod
    def load(cls, backend: Backend) -> GraphIndex:
        """Read the whole graph through the library queries."""
        # A backend names a predicate by IRI (RDF) or by relationship type (property graph).
        relations = ontology.by_role("relation").items()
        predicates = {
            **{str(row.rdf): name for name, row in relations},
            **{row.neo4j: name for name, row in relations},
        }
        entities: dict[str, Entity] = {}
        for row in backend.run("entities"):
            entity_type = TYPE_OF_CLASS.get(row["type"])
            if entity_type is None:
                continue
            entity = Entity(
                id=local_id(row["entity"]),
                type=entity_type,
                label=row["label"],
                definition=row.get("definition", ""),
                kind=row.get("kind"),
                category=row.get("category"),
                urgency=row.get("urgency"),
                action=row.get("action"),
                safety_net=row.get("safety_net"),
            )
            entities[entity.id] = entity
        for row in backend.run("entity_attributes"):
            owner = entities.get(local_id(row["entity"]))
            if owner is None:
                continue
            attribute, value = row["attribute"], row["value"]
            if attribute == "synonym":
                owner.synonyms.append(value)
            elif attribute in MATCH_OF_ATTRIBUTE:
                owner.mappings.append((MATCH_OF_ATTRIBUTE[attribute], xref_curie(value)))
            elif attribute == "when_onset":
                owner.when_onset.append(value)
            elif attribute == "when_laterality":
                owner.when_laterality.append(value)
        for entity in entities.values():
            # One canonical order whatever the backend sorts by (IRIs and CURIEs sort differently).
            entity.synonyms.sort()
            entity.mappings.sort(key=lambda m: (tuple(MATCH_OF_ATTRIBUTE.values()).index(m[0]), m[1]))
        for row in backend.run("entity_citations"):
            owner = entities.get(local_id(row["entity"]))
            if owner is not None:
                owner.citations.append(_provenance(row))
        for entity in entities.values():
            entity.citations.sort(key=lambda c: (c.source, c.section, c.paragraph, c.statement))
        edges = [
            Edge(
                subject=local_id(row["subject"]),
                predicate=predicates[row["predicate"]],
                object=local_id(row["object"]),
                qualifiers={k: row[k] for k in QUALIFIER_KEYS if k in row},
                provenance=_provenance(row),
            )
            for row in backend.run("edges")
            if row["predicate"] in predicates
        ]
        return cls(entities, edges)

    def of_type(self, entity_type: str | None) -> list[Entity]:
        """Entities of one type (all when None), sorted by id."""
        return sorted(
            (e for e in self.entities.values() if entity_type is None or e.type == entity_type),
            key=lambda e: e.id,
        )

    def brief(self, entity_id: str) -> dict[str, Any]:
        """{id, label, type} of an entity, for paths and edges (shared: do not modify)."""
        return self.briefs[entity_id]


def _provenance(row: dict[str, Any]) -> Provenance:
    return Provenance(
        source=local_id(row["source"]),
        section=row["section"],
        paragraph=int(row["paragraph"]),
        statement=row["statement"],
    )
