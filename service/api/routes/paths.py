"""GET /v1/paths: the paths between two entities, each with nodes, edges and provenance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from clinkg.service.api.answers import edge_public
from clinkg.service.api.deps import IndexDep, SettingsDep
from clinkg.service.api.models import EdgePublic, NodeRef, errors
from clinkg.service.api.routes.entities import find_entity
from clinkg.service.ranking.paths import paths_between

router = APIRouter(prefix="/v1", tags=["paths"], responses=errors(401, 404, 422, 503))


class PathView(BaseModel):
    nodes: list[NodeRef]
    edges: list[EdgePublic]


class PathList(BaseModel):
    paths: list[PathView]


@router.get("/paths", response_model=PathList)
def get_paths(
    index: IndexDep,
    settings: SettingsDep,
    from_: Annotated[str, Query(alias="from", min_length=1)],
    to: Annotated[str, Query(min_length=1)],
    max_length: Annotated[int, Query(ge=1)] = 4,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    include_tests: bool = False,
) -> PathList:
    """Simple paths (edges followed either way) between two entities, shortest first."""
    if max_length > settings.paths_max_length:
        raise HTTPException(status_code=422, detail=f"max_length must be at most {settings.paths_max_length}")
    start, goal = find_entity(index, from_), find_entity(index, to)
    found = []
    for edges in paths_between(
        index, start.id, goal.id, max_length, limit=limit, include_tests=include_tests
    ):
        nodes = [start.id]
        for edge in edges:
            nodes.append(edge.object if edge.subject == nodes[-1] else edge.subject)
        found.append(
            PathView.model_validate(
                {"nodes": [index.brief(n) for n in nodes], "edges": [edge_public(index, e) for e in edges]}
            )
        )
    return PathList(paths=found)
