"""Curated content -> property graph (Neo4j; FalkorDB in tests), as described in ontology/PROPERTY_GRAPH.md;
the HPO graph is written beside it by loaders/hpo/graph.py.

Statements are the files in loaders/cypher/; labels and relationship types are filled in from
ontology/mapping.tsv, never from input, and every value travels as a parameter. A Neo4j load is one
transaction (schema first, then nodes, relationships, stale removal and the release node), so a load that
fails leaves the previous graph as it was; loading the same content twice changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Protocol

from clinkg import __version__, ontology
from clinkg.loaders.content import Content, Edge
from clinkg.loaders.models import CLASS_OF_KEY, MATCH_KEYS, Entity, Source

BATCH = 500
ID_PREFIX = str(ontology.ID)


class CypherRunner(Protocol):
    """Something that runs one Cypher statement with parameters (a Neo4j transaction, a FalkorDB graph)."""

    def __call__(self, statement: str, parameters: Mapping[str, Any], /) -> object: ...


@cache
def statement(name: str) -> str:
    """A loader statement file without its comment lines."""
    text = (files("clinkg.loaders") / "cypher" / f"{name}.cypher").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//")).strip()


def statements(name: str) -> list[str]:
    """The `;`-separated statements of a file."""
    return [part.strip() for part in statement(name).split(";") if part.strip()]


def class_label(yaml_name: str) -> str:
    """The Neo4j label of a class of mapping.tsv."""
    return ontology.name("class", yaml_name).neo4j


@dataclass(frozen=True)
class NodeRow:
    labels: tuple[str, ...]
    props: dict[str, Any]


@dataclass(frozen=True)
class RelationshipRow:
    type: str
    start: str
    end: str
    props: dict[str, Any]


def _entity_props(entity: Entity) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": entity.id,
        "curie": f"clinkg:{entity.id}",
        "iri": ID_PREFIX + entity.id,
        "label": entity.label,
        "definition": entity.definition,
        "synonyms": list(entity.synonyms),
        "citation_sources": [c.source for c in entity.provenance],
        "citation_sections": [c.section for c in entity.provenance],
        "citation_paragraphs": [c.paragraph for c in entity.provenance],
        "citation_statements": [c.statement for c in entity.provenance],
    }
    for key in MATCH_KEYS:
        # Every entity has the four lists (empty when it has no such code), as it has `synonyms`.
        props[ontology.name("attribute", key).neo4j] = list(getattr(entity, key, []))
    for attribute in ("kind", "category", "urgency", "action", "safety_net"):
        value = getattr(entity, attribute, None)
        if value is not None:
            props[attribute] = value
    when = getattr(entity, "when", None)
    if when is not None:
        props["when_onset"] = list(when.onset)
        props["when_laterality"] = list(when.laterality)
    return props


def _source_props(source: Source) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": source.id,
        "curie": f"clinkg:{source.id}",
        "iri": ID_PREFIX + source.id,
        "label": source.title,
        "title": source.title,
        "kind": source.kind,
    }
    if source.seed_file:
        props["seed_file"] = source.seed_file
    return props


def node_rows(content: Content) -> list[NodeRow]:
    """Every node: sources and entities, with their labels from the mapping table."""
    entity_label = class_label("entity")
    rows = [NodeRow((entity_label, class_label("source")), _source_props(s)) for s in content.sources]
    for key, entity in content.entities():
        labels = [entity_label, class_label(CLASS_OF_KEY[key])]
        kind = getattr(entity, "kind", None)
        if kind is not None:
            labels.append(class_label(kind))
        rows.append(NodeRow(tuple(labels), _entity_props(entity)))
    return rows


def relationship_rows(content: Content) -> list[RelationshipRow]:
    """Every relationship with its provenance and qualifiers as properties."""

    def props(edge: Edge) -> dict[str, Any]:
        loc = edge.locator
        return {
            "source": loc.source,
            "section": loc.section,
            "paragraph": loc.paragraph,
            "statement": loc.statement,
            **edge.qualifiers,
        }

    return [
        RelationshipRow(ontology.name("relation", e.predicate).neo4j, e.subject, e.object, props(e))
        for e in content.edges()
    ]


def release_id(content: Content) -> str:
    """What a load is called: the content and the code that loaded it."""
    return f"{content.content_hash[:16]}-{__version__}"


def batches(rows: list[Any]) -> Iterator[list[Any]]:
    """`rows` in batches of BATCH."""
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def all_labels() -> str:
    """Every class label of the mapping but Entity, as a Cypher label expression (`:Cause:Condition...`)."""
    return "".join(f":{row.neo4j}" for name, row in ontology.by_role("class").items() if name != "entity")


def data_statements(content: Content) -> Iterator[tuple[str, dict[str, Any]]]:
    """The statements of one load, in order, with their parameters (every one tagged graph "curated")."""
    for text, parameters in _curated_statements(content):
        yield text, {**parameters, "graph": "curated"}


def _curated_statements(content: Content) -> Iterator[tuple[str, dict[str, Any]]]:
    release = release_id(content)
    yield statement("clear_labels").replace("{labels}", all_labels()), {}
    grouped: dict[tuple[str, ...], list[NodeRow]] = defaultdict(list)
    for row in node_rows(content):
        grouped[row.labels].append(row)
    for labels, rows in grouped.items():
        text = statement("merge_nodes").replace("{labels}", "".join(f":{label}" for label in labels))
        for batch in batches(rows):
            yield text, {"rows": [{"id": r.props["id"], "props": r.props} for r in batch], "release": release}
    by_type: dict[str, list[RelationshipRow]] = defaultdict(list)
    for rel in relationship_rows(content):
        by_type[rel.type].append(rel)
    for rel_type, rels in by_type.items():
        text = statement("merge_relationships").replace("{type}", rel_type)
        for batch in batches(rels):
            relationships = [{"start": r.start, "end": r.end, "props": r.props} for r in batch]
            yield text, {"rows": relationships, "release": release}
    for text in statements("delete_stale"):
        yield text, {"release": release}
    yield (
        statement("release"),
        {
            "release": release,
            "content_hash": content.content_hash,
            "clinkg_version": __version__,
        },
    )


def load(run: CypherRunner, content: Content, progress: Callable[[int, int], None] | None = None) -> int:
    """Run every data statement of a load through `run`; returns how many statements ran."""
    planned = list(data_statements(content))
    for done, (text, parameters) in enumerate(planned, start=1):
        run(text, parameters)
        if progress is not None:
            progress(done, len(planned))
    return len(planned)


def load_neo4j(
    driver: Any, database: str, content: Content, progress: Callable[[int, int], None] | None = None
) -> int:
    """Schema, then the whole curated graph in one write transaction of the official driver."""
    with driver.session(database=database) as session:
        for text in statements("schema_neo4j"):
            session.run(text).consume()
        return int(
            session.execute_write(lambda tx: load(lambda s, p: tx.run(s, p).consume(), content, progress))
        )


def falkordb_schema(graph: Any) -> None:
    """The schema statements on a FalkorDB graph (an index that exists already is fine)."""
    for text in statements("schema_falkordb"):
        try:
            graph.query(text)
        except Exception as exc:  # an existing index is the expected case on a second load
            if "already indexed" not in str(exc).lower():
                raise


def load_falkordb(graph: Any, content: Content) -> int:
    """The same statements on a FalkorDB graph (each statement is atomic; FalkorDB has no transactions)."""
    falkordb_schema(graph)
    return load(lambda s, p: graph.query(s, dict(p)), content)
