"""GET /v1/search: entities by label, synonym (patient words too) or cross-reference CURIE."""

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
    score: float = Field(description="Ours, for ordering only (higher is better); not a probability.")
    matched: str = Field(description="The label, synonym or CURIE that matched the query.")


class SearchResults(BaseModel):
    results: list[SearchHit]


def _known_type(value: str | None) -> str | None:
    if value is not None and value not in ENTITY_TYPES:
        raise ValueError(f"type must be one of: {', '.join(ENTITY_TYPES)}")
    return value


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=QUERY_MAX_CHARS),
    Query(description="Words, a label, a synonym or a CURIE (HP:0007340, ICD10CM:G61.0)."),
]
EntityTypeName = Annotated[
    str | None,
    AfterValidator(_known_type),
    Query(description="Only entities of this type.", json_schema_extra={"enum": list(ENTITY_TYPES)}),
]


@router.get("/search", response_model=SearchResults)
async def search(
    q: Text,
    search_index: SearchDep,
    settings: SettingsDep,
    type: EntityTypeName = None,
    limit: Annotated[int, Query(ge=1)] = 10,
) -> SearchResults:
    """Entities matching the query, best first: exact names, then phrases, word sets, then typos."""
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
