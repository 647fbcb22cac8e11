"""GET /health: liveness with the backend, its size and the content hash it was built from."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from clinkg.service.api.deps import BackendDep, ConnectionDep, IndexDep, SettingsDep
from clinkg.service.api.models import errors

router = APIRouter(tags=["health"], responses=errors(401, 503))


class Health(BaseModel):
    status: str = Field(description="ok, or degraded while the graph store cannot be reached")
    backend: str
    triples: int | None
    content_hash: str | None
    detail: str | None = None


@router.get("/health", response_model=Health)
async def health(connection: ConnectionDep, settings: SettingsDep) -> Health:
    """Liveness: the service is up; which backend answers, how big the graph is, which content it holds."""
    backend = connection.backend
    if backend is None:
        name = settings.backend
        return Health(
            status="degraded", backend=name, triples=None, content_hash=None, detail=connection.error
        )
    return Health(
        status="ok", backend=backend.name, triples=backend.triple_count(), content_hash=backend.content_hash
    )


class Ready(BaseModel):
    status: str
    backend: str
    entities: int
    sparql: str | None = Field(default=None, description="the SPARQL workers' state (embedded store only)")


@router.get(
    "/ready",
    response_model=Ready,
    responses={503: {"description": "the store cannot answer, or the SPARQL workers cannot yet"}},
)
def ready(backend: BackendDep, index: IndexDep, connection: ConnectionDep) -> Ready:
    """Every route can answer now: the graph is loaded, the store answers (Neo4j reachable) and, on the
    embedded store, the SPARQL workers have started and answered a ping; 503 with the reason otherwise."""
    backend.ping()
    workers = connection.workers
    if workers is not None and not workers.ready:
        raise HTTPException(503, workers.state())
    return Ready(
        status="ready",
        backend=backend.name,
        entities=len(index.entities),
        sparql=None if workers is None else workers.state(),
    )
