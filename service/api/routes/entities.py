"""GET /v1/entities and /v1/entities/{id}: browse entities and see every edge with its provenance."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from clinkg.service.api.deps import IndexDep, SettingsDep
from clinkg.service.api.models import NodeRef, ProvenancePublic, errors
from clinkg.service.ranking.graph_index import Entity, GraphIndex

router = APIRouter(prefix="/v1", tags=["entities"], responses=errors(401, 404, 422, 503))
EntityType = Literal["cause", "mechanism", "finding", "red_flag", "test", "triage_advice", "source"]


class Mapping(BaseModel):
    code: str
    relation: Literal["exact", "close", "broad", "narrow"] = Field(
        description="The SKOS mapping relation: the code means the concept (exact), nearly (close), "
        "something broader (broad) or narrower (narrow)."
    )


class EntitySummary(BaseModel):
    id: str
    label: str
    type: str
    kind: str | None
    category: str | None
    urgency: str | None
    synonyms: list[str]
    xrefs: list[str] = Field(description="Codes whose official description is the concept (exact matches).")
    mappings: list[Mapping] = Field(description="Every cross-reference with its SKOS mapping relation.")


class EntityList(BaseModel):
    items: list[EntitySummary]
    total: int


class EdgeView(BaseModel):
    predicate: str
    direction: Literal["out", "in"]
    other: NodeRef
    qualifiers: dict[str, str]
    provenance: list[ProvenancePublic]


class EntityDetail(EntitySummary):
    definition: str
    action: str | None
    safety_net: str | None
    when: dict[str, list[str]]
    citations: list[ProvenancePublic]
    edges: list[EdgeView]


def _summary(entity: Entity) -> dict[str, object]:
    return {
        "id": entity.curie,
        "label": entity.label,
        "type": entity.type,
        "kind": entity.kind,
        "category": entity.category,
        "urgency": entity.urgency,
        "synonyms": entity.synonyms,
        "xrefs": entity.xrefs,
        "mappings": [{"code": code, "relation": relation} for relation, code in entity.mappings],
    }


def _provenance(p: object) -> ProvenancePublic:
    return ProvenancePublic.model_validate(p, from_attributes=True)


def find_entity(index: GraphIndex, reference: str) -> Entity:
    """The entity a path parameter names, or 404 saying so."""
    found = index.resolve(reference)
    if found is None:
        raise HTTPException(
            status_code=404, detail=f"no entity '{reference}' (use an id, a clinkg: or xref CURIE)"
        )
    return index.entities[found]


@router.get("/entities", response_model=EntityList)
async def list_entities(
    index: IndexDep,
    settings: SettingsDep,
    type: EntityType | None = None,  # noqa: A002 - the API's parameter name
    limit: Annotated[int, Query(ge=1)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EntityList:
    """Entities of one type (or all), sorted by id, a page at a time."""
    if limit > settings.entities_limit_max:
        raise HTTPException(status_code=422, detail=f"limit must be at most {settings.entities_limit_max}")
    chosen = index.of_type(type)
    page = chosen[offset : offset + limit]
    return EntityList(items=[EntitySummary.model_validate(_summary(e)) for e in page], total=len(chosen))


@router.get("/entities/{entity_id}", response_model=EntityDetail)
async def get_entity(entity_id: str, index: IndexDep) -> EntityDetail:
    """One entity with its synonyms, codes, definition, citations and every edge with provenance."""
    entity = find_entity(index, entity_id)
    edges = [
        EdgeView(
            predicate=e.predicate,
            direction=direction,  # type: ignore[arg-type]
            other=NodeRef(**index.brief(e.object if direction == "out" else e.subject)),
            qualifiers=e.qualifiers,
            provenance=[_provenance(e.provenance)],
        )
        for direction, found in (("out", index.out_edges), ("in", index.in_edges))
        for e in found.get(entity.id, ())
    ]
    when = {k: v for k, v in (("onset", entity.when_onset), ("laterality", entity.when_laterality)) if v}
    return EntityDetail.model_validate(
        {
            **_summary(entity),
            "definition": entity.definition,
            "action": entity.action,
            "safety_net": entity.safety_net,
            "when": when,
            "citations": [_provenance(c) for c in entity.citations],
            "edges": edges,
        }
    )
