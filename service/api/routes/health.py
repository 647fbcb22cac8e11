"""GET /health: liveness with the backend, its size and the content hash it was built from."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from ...deps import BackendDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    backend: str
    triples: int
    content_hash: str | None


@router.get("/health", response_model=Health)
def health(backend: BackendDep) -> Health:
    """The service is up; which backend answers, how big the graph is, which content it was built from."""
    return Health(
        status="ok", backend=backend.name, triples=backend.triple_count(), content_hash=backend.content_hash
    )
