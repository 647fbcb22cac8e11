"""POST /v1/cypher: user Cypher, read-only (a guard, then a read transaction), timeout and row limit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from clinkg.service.api.deps import BackendDep, CypherSlotsDep, SettingsDep
from clinkg.service.api.models import errors
from clinkg.service.settings import Settings
from clinkg.service.stores.base import Backend
from clinkg.service.stores.cypher import CypherBackend
from clinkg.service.stores.cypher_guard import refusal

router = APIRouter(prefix="/v1", tags=["cypher"], responses=errors(400, 401, 403, 413, 422, 503))


class CypherRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(
        min_length=1, max_length=100_000, examples=["MATCH (c:Cause) RETURN c.id, c.label LIMIT 5"]
    )
    parameters: dict[str, Any] = Field(default_factory=dict)


class CypherResult(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = Field(description="True when more rows than the row limit matched.")


@router.post("/cypher", response_model=CypherResult)
def post_cypher(
    request: CypherRequest, backend: BackendDep, settings: SettingsDep, slots: CypherSlotsDep
) -> CypherResult:
    """Run a read-only Cypher query on the Neo4j backend (503 on the embedded RDF store)."""
    if not slots.acquire(blocking=False):
        raise HTTPException(
            status_code=503,
            detail=f"{settings.cypher_concurrency} Cypher queries are already running; retry shortly",
            headers={"Retry-After": "1"},
        )
    try:
        return _run(request, backend, settings)
    finally:
        slots.release()


def _run(request: CypherRequest, backend: Backend, settings: Settings) -> CypherResult:
    if not isinstance(backend, CypherBackend):
        raise HTTPException(
            status_code=503,
            detail="Cypher needs the Neo4j backend (CLINKG_BACKEND=neo4j); this service runs on the embedded "
            "RDF store: use /sparql instead",
        )
    reason = refusal(request.query)
    if reason:
        raise HTTPException(status_code=403, detail=reason)
    # The database's own refusals (QueryInvalidError: 400, WriteRefusedError: 403) and an unavailable or
    # late store (503) are mapped by class in the app.
    columns, rows, truncated = backend.run_user(request.query, request.parameters, settings.cypher_row_limit)
    return CypherResult(columns=columns, rows=rows, truncated=truncated)
