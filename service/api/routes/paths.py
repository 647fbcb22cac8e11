"""GET /v1/paths: the paths between two entities, each with nodes, edges and provenance.

`from` and `to` are any reference the resolver reads. Between two curated entities the paths are those of
the curated graph. On a release with the HPO graph, an HP term, an HPO disease and a curated entity (through
its HP codes) are joined through the HPO graph (ranking/hpo_graph.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from clinkg.service.api.answers import edge_public, node_ref, step_public
from clinkg.service.api.deps import ServedDep, SettingsDep
from clinkg.service.api.models import EdgePublic, NodeRef, errors
from clinkg.service.api.routes.entities import find
from clinkg.service.ranking.context import Ranking
from clinkg.service.ranking.hpo_graph import End
from clinkg.service.ranking.paths import paths_between
from clinkg.service.ranking.resolver import Resolution

router = APIRouter(prefix="/v1", tags=["paths"], responses=errors(401, 404, 422, 503))


class PathView(BaseModel):
    nodes: list[NodeRef]
    edges: list[EdgePublic]


class PathList(BaseModel):
    paths: list[PathView]


@router.get("/paths", response_model=PathList)
def get_paths(
    served: ServedDep,
    settings: SettingsDep,
    from_: Annotated[
        str,
        Query(
            alias="from",
            min_length=1,
            openapi_examples={"finding": {"summary": "A finding", "value": "saddle-anesthesia"}},
        ),
    ],
    to: Annotated[
        str,
        Query(
            min_length=1, openapi_examples={"cause": {"summary": "A cause", "value": "cauda-equina-syndrome"}}
        ),
    ],
    max_length: Annotated[
        int, Query(ge=1, openapi_examples={"three": {"summary": "Three edges", "value": 3}})
    ] = 4,
    limit: Annotated[
        int, Query(ge=1, le=100, openapi_examples={"five": {"summary": "Five paths", "value": 5}})
    ] = 20,
    include_tests: Annotated[
        bool, Query(openapi_examples={"no": {"summary": "Without test edges", "value": False}})
    ] = False,
) -> PathList:
    """Simple paths (edges followed either way) between two entities, shortest first; through the HPO
    graph when one end is an HP term or an HPO disease."""
    if max_length > settings.paths_max_length:
        raise HTTPException(status_code=422, detail=f"max_length must be at most {settings.paths_max_length}")
    ranking, index = served.ranking, served.index
    start, goal = find(ranking, from_), find(ranking, to)
    hpo_graph = ranking.hpo_graph
    if hpo_graph is None or (start.kind == "entity" and goal.kind == "entity"):
        found = []
        for edges in paths_between(
            index, start.id, goal.id, max_length, limit=limit, include_tests=include_tests
        ):
            nodes = [start.id]
            for edge in edges:
                nodes.append(edge.object if edge.subject == nodes[-1] else edge.subject)
            found.append(
                PathView.model_validate(
                    {
                        "nodes": [index.brief(n) for n in nodes],
                        "edges": [edge_public(index, e) for e in edges],
                    }
                )
            )
        return PathList(paths=found)
    hpo = hpo_graph.hpo
    ends = _hpo_end(ranking, start), _hpo_end(ranking, goal)
    paths = hpo_graph.paths(*ends, max_length, limit, include_tests)
    return PathList(
        paths=[
            PathView.model_validate(
                {
                    "nodes": [node_ref(index, hpo, n) for n in path.nodes],
                    "edges": [step_public(index, hpo, step) for step in path.steps],
                }
            )
            for path in paths
        ]
    )


def _hpo_end(ranking: Ranking, found: Resolution) -> End:
    """An end of a path through the HPO graph: an HP code that a curated entity cites is read as the term
    (the reference named the term); any other curated entity joins through its own HP codes."""
    if found.kind != "entity":
        return End(found.kind, found.id, found.entity)
    term = ranking.resolver.in_graph(found, "hpo")
    return End("hpo_term", term.id, found.entity) if term is not None else End("entity", found.id)
