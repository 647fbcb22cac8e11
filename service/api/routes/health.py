"""GET /health: liveness with the backend, its size and the content hash it was built from."""

from __future__ import annotations

from fastapi import APIRouter
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


@router.get("/ready", response_model=Ready, responses={503: {"description": "the store cannot answer"}})
def ready(backend: BackendDep, index: IndexDep) -> Ready:
    """The graph is loaded and the store answers now (Neo4j reachable); 503 with the reason otherwise."""
    backend.ping()
    return Ready(status="ready", backend=backend.name, entities=len(index.entities))
