"""GET /v1/search: entities by label, synonym (patient words too) or cross-reference CURIE; on an HPO
release, HP terms and diseases too. How it ranks: service/language/search.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from clinkg.service.api.deps import SearchDep, SettingsDep
from clinkg.service.api.models import errors
from clinkg.service.ranking.graph_index import ENTITY_TYPES

router = APIRouter(prefix="/v1", tags=["search"], responses=errors(401, 422, 503))

QUERY_MAX_CHARS = 200


class SearchHit(BaseModel):
    id: str = Field(examples=["clinkg:leg-weakness"])
    label: str
    type: str
    graph: str = Field(description="curated, or hpo for an HP term or a disease of the imported HPO graph.")
    score: float = Field(description="Ours, for ordering only (higher is better); not a probability.")
    matched: str = Field(description="The label, synonym or CURIE that matched the query.")
    via: str | None = Field(
        default=None,
        description="For a finding found through the name of a mechanism it shows: that mechanism's id.",
    )


class SearchResults(BaseModel):
    results: list[SearchHit]


def _known_type(value: str | None) -> str | None:
    if value is not None and value not in ENTITY_TYPES:
        raise ValueError(f"type must be one of: {', '.join(ENTITY_TYPES)}")
    return value


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=QUERY_MAX_CHARS),
    Query(
        description="Words, a label, a synonym or a CURIE (HP:0007340, ICD10CM:G61.0).",
        openapi_examples={
            "words": {"summary": "A patient's words", "value": "numb groin"},
            "code": {"summary": "An HPO code", "value": "HP:0007340"},
        },
    ),
]
EntityTypeName = Annotated[
    str | None,
    AfterValidator(_known_type),
    Query(
        description="Only entities of this type.",
        json_schema_extra={"enum": list(ENTITY_TYPES)},
        openapi_examples={"finding": {"summary": "Findings only", "value": "finding"}},
    ),
]


@router.get("/search", response_model=SearchResults)
async def search(
    q: Text,
    search_index: SearchDep,
    settings: SettingsDep,
    type: EntityTypeName = None,
    limit: Annotated[int, Query(ge=1, openapi_examples={"five": {"summary": "Five hits", "value": 5}})] = 10,
) -> SearchResults:
    """Entities matching the query, best first: exact names, then phrases, all words, then some words;
    a name whose meaning is turned around ("cannot pee") never outranks one that is not, for a query that
    is not, and the other way round. Ties go to the curated graph, then findings, then the better-connected
    entity, never to the alphabet."""
    if limit > settings.search_limit_max:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "limit"),
                    "msg": f"Input should be less than or equal to {settings.search_limit_max}",
                    "type": "less_than_equal",
                }
            ]
        )
    hits = search_index.search(q, type, limit)
    return SearchResults(results=[SearchHit.model_validate(hit, from_attributes=True) for hit in hits])
