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


def shapes_graph() -> Graph:
    """The SHACL shapes as a graph."""
    graph = Graph()
    graph.parse(data=ontology.resource("shapes.ttl").read_text(encoding="utf-8"), format="turtle")
    return graph


def validate_graph(data: Graph) -> list[Violation]:
    """Every SHACL violation of the graph, sorted; empty when the graph conforms."""
    from pyshacl import validate  # heavy import, only needed when validating

    _conforms, report, _text = validate(data, shacl_graph=shapes_graph(), inference="none", advanced=True)
    if not isinstance(report, Graph):
        raise TypeError("pySHACL returned no report graph")
    found = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        found.append(
            Violation(
                focus=data.namespace_manager.normalizeUri(focus) if isinstance(focus, URIRef) else str(focus),
                path=data.namespace_manager.normalizeUri(path) if isinstance(path, URIRef) else "",
                message=str(message) if message is not None else "violation",
            )
        )
    return sorted(set(found), key=lambda v: (v.focus, v.path, v.message))
