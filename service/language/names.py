"""The names a curated entity goes by, for search and free-text intake alike.

Its own: the label, the synonyms (patient words too) and the names the release's HPO gives its exact codes
(hp.obo's label and exact synonyms). Narrower: the names of the HP terms whose nearest exactly coded
ancestor is one of its exact codes (the nearest-ancestor rule the references of a request resolve by), so
that a more specific term's name finds the entity it refines.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinkg.service.ranking.graph_index import GraphIndex


@dataclass(frozen=True, slots=True)
class Names:
    own: tuple[str, ...]  # the label first, then synonyms and code names, each once
    narrower: tuple[str, ...]


def entity_names(graph: GraphIndex) -> dict[str, Names]:
    """Every curated entity's names (module docstring), by entity id."""
    coded = graph.hierarchy.names if graph.hierarchy is not None else {}
    narrower = _narrower(graph)
    return {
        entity.id: Names(
            tuple(
                dict.fromkeys(
                    (
                        entity.label,
                        *entity.synonyms,
                        *(n for code in entity.xrefs for n in coded.get(code, ())),
                    )
                )
            ),
            tuple(narrower.get(entity.id, ())),
        )
        for entity in graph.entities.values()
    }


def _narrower(graph: GraphIndex) -> dict[str, list[str]]:
    hierarchy = graph.hierarchy
    if hierarchy is None:
        return {}
    exact: dict[str, str] = {}
    for entity in graph.entities.values():
        for code in entity.xrefs:
            exact.setdefault(code, entity.id)
    found: dict[str, list[str]] = {}
    for term, names in hierarchy.names.items():
        if term in exact:
            continue
        owner = next((exact[a] for a in hierarchy.ancestors(term) if a in exact), None)
        if owner is not None:
            found.setdefault(owner, []).extend(names)
    return found
