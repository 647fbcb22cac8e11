"""SHACL validation of a built graph against ontology/shapes.ttl (pySHACL)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from clinkg import ontology


@dataclass(frozen=True)
class Violation:
    """One SHACL result: the focus node, the path (if any) and the message."""

    focus: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.focus} {self.path}".strip()
        return f"{where}: {self.message}"


def _short(graph: Graph, node: object) -> str:
    return graph.namespace_manager.normalizeUri(node) if isinstance(node, URIRef) else str(node)


def shapes_graph() -> Graph:
    """The SHACL shapes as a graph."""
    graph = Graph()
    graph.parse(data=ontology.resource("shapes.ttl").read_text(encoding="utf-8"), format="turtle")
    return graph


def validate_graph(data: Graph, shapes: Graph | None = None) -> list[Violation]:
    """Every SHACL violation of the graph against `shapes` (default: all of shapes.ttl), sorted; empty
    when the graph conforms."""
    # SPARQL constraints run on Oxigraph through oxrdflib: rdflib's engine took 15 s on the curated graph.
    from oxrdflib import OxigraphStore
    from pyshacl import validate  # heavy import, only needed when validating

    engine = data
    if not isinstance(data.store, OxigraphStore):
        engine = Graph(store="Oxigraph")
        engine += data
    _conforms, report, _text = validate(
        engine,
        shacl_graph=shapes if shapes is not None else shapes_graph(),
        inference="none",
        advanced=True,
        inplace=True,
    )
    if not isinstance(report, Graph):
        raise TypeError("pySHACL returned no report graph")
    found = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        found.append(
            Violation(
                focus=_short(data, focus),
                path=_short(data, path) if isinstance(path, URIRef) else "",
                message=str(message) if message is not None else "violation",
            )
        )
    return sorted(set(found), key=lambda v: (v.focus, v.path, v.message))
