"""Serializations of the graph: N-Triples (sorted), Turtle, JSON-LD and KGX TSV."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from rdflib import Graph

from clinkg import ontology
from clinkg.loaders.content import Content
from clinkg.loaders.models import CLASS_OF_KEY, Entity

RDF_FORMATS = ("nt", "ttl", "jsonld")
FORMATS = (*RDF_FORMATS, "kgx")
CURIE_PREFIX = "clinkg"


def sorted_ntriples(graph: Graph) -> str:
    """The graph as N-Triples, one line per triple, sorted: byte-identical for the same graph."""
    lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return "".join(f"{line}\n" for line in sorted({line for line in lines if line.strip()}))


def serialize(graph: Graph, fmt: str) -> bytes:
    """The graph in one of RDF_FORMATS."""
    if fmt == "nt":
        return sorted_ntriples(graph).encode("utf-8")
    if fmt == "ttl":
        return graph.serialize(format="turtle", encoding="utf-8")
    if fmt == "jsonld":
        context = {prefix: str(ns) for prefix, ns in ontology.PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, encoding="utf-8", indent=1)
    raise ValueError(f"unknown RDF format {fmt!r}; expected one of {', '.join(RDF_FORMATS)}")


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file aside and rename it into place, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- KGX
NODE_COLUMNS = ("id", "category", "name", "description", "xref", "synonym", "provided_by", "clinkg_kind")
EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "original_predicate",
    "knowledge_level",
    "agent_type",
    "primary_knowledge_source",
    "source_section",
    "source_paragraph",
    "statement",
    "qualifiers",
)


def _tsv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _categories(key: str, entity: Entity) -> str:
    names = [CLASS_OF_KEY[key]]
    kind = getattr(entity, "kind", None)
    if kind:
        names.insert(0, kind)
    found: list[str] = []
    for name in names:
        biolink = ontology.name("class", name).biolink
        if biolink and biolink not in found:
            found.append(biolink)
    return "|".join(found)


def kgx_tables(content: Content) -> tuple[bytes, bytes]:
    """KGX TSV nodes and edges files (Biolink categories and predicates, provenance columns)."""
    nodes: list[dict[str, str]] = []
    for source in content.sources:
        nodes.append(
            {
                "id": f"{CURIE_PREFIX}:{source.id}",
                "category": ontology.name("class", "source").biolink or "",
                "name": source.title,
                "description": source.kind,
                "xref": "",
                "synonym": "",
                "provided_by": "clinkg",
                "clinkg_kind": "source",
            }
        )
    for key, entity in content.entities():
        nodes.append(
            {
                "id": f"{CURIE_PREFIX}:{entity.id}",
                "category": _categories(key, entity),
                "name": entity.label,
                "description": entity.definition,
                # KGX xrefs are equivalent identifiers: exact matches only.
                "xref": "|".join(getattr(entity, "exact_match", [])),
                "synonym": "|".join(entity.synonyms),
                "provided_by": "clinkg",
                "clinkg_kind": getattr(entity, "kind", None) or CLASS_OF_KEY[key],
            }
        )
    edges: list[dict[str, str]] = []
    for edge in content.edges():
        row = ontology.name("relation", edge.predicate)
        loc = edge.locator
        edges.append(
            {
                "id": f"{CURIE_PREFIX}:assertion/{edge.subject}/{edge.predicate}/{edge.object}",
                "subject": f"{CURIE_PREFIX}:{edge.subject}",
                "predicate": row.biolink or "biolink:related_to",
                "object": f"{CURIE_PREFIX}:{edge.object}",
                "original_predicate": f"ckg:{str(row.rdf).rsplit('#', 1)[-1]}",
                "knowledge_level": "knowledge_assertion",
                "agent_type": "manual_agent",
                "primary_knowledge_source": f"{CURIE_PREFIX}:{loc.source}",
                "source_section": loc.section,
                "source_paragraph": str(loc.paragraph),
                "statement": loc.statement,
                "qualifiers": "|".join(f"{k}={v}" for k, v in sorted(edge.qualifiers.items())),
            }
        )
    return _tsv(nodes, NODE_COLUMNS), _tsv(edges, EDGE_COLUMNS)


def kgx_paths(out: Path) -> tuple[Path, Path]:
    """Where KGX files go: inside `out` if it is a folder, else beside it as OUT_nodes.tsv, OUT_edges.tsv."""
    if out.is_dir():
        return out / "clinkg_nodes.tsv", out / "clinkg_edges.tsv"
    stem = out.name.removesuffix(".tsv")
    return out.with_name(f"{stem}_nodes.tsv"), out.with_name(f"{stem}_edges.tsv")
