"""Dependencies of the routes, as Annotated aliases (what they inject is built in the lifespan).

They are `async` on purpose: FastAPI runs a sync dependency in a worker thread, which cost more than
the whole differential.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, HTTPException, Request

from clinkg.service.api.connection import GraphConnection, Served
from clinkg.service.language.search import SearchIndex
from clinkg.service.ranking.graph_index import GraphIndex
from clinkg.service.settings import Settings
from clinkg.service.sparql.workers import SparqlWorkers
from clinkg.service.stores.base import Backend


async def _connection(request: Request) -> GraphConnection:
    connection: GraphConnection = request.app.state.connection
    return connection


def connected(app: Any) -> Served | None:
    """What the app serves when its store is connected now (None before the lifespan or while down)."""
    connection: GraphConnection | None = getattr(app.state, "connection", None)
    return connection.served if connection is not None else None


async def _served(request: Request) -> Served:
    found = connected(request.app)
    if found is not None:
        return found
    connection: GraphConnection = request.app.state.connection
    # Reconnecting may wait on the network: keep it off the event loop.
    return await anyio.to_thread.run_sync(connection.ensure)


async def _index(request: Request) -> GraphIndex:
    return (await _served(request)).index


async def _backend(request: Request) -> Backend:
    return (await _served(request)).backend


async def _search(request: Request) -> SearchIndex:
    return (await _served(request)).search


async def settings(request: Request) -> Settings:
    """The service's settings."""
    found: Settings = request.app.state.settings
    return found


async def sparql_workers(request: Request) -> SparqlWorkers:
    """The SPARQL worker pool of the embedded store (503 saying why on another backend)."""
    served = await _served(request)
    connection = await _connection(request)
    if connection.workers is None:
        raise HTTPException(
            503,
            "SPARQL needs the embedded RDF store (Oxigraph); this service runs the "
            f"{served.backend.name} backend",
        )
    return connection.workers


async def _cypher_slots(request: Request) -> threading.BoundedSemaphore:
    slots: threading.BoundedSemaphore = request.app.state.cypher_slots
    return slots


ServedDep = Annotated[Served, Depends(_served)]
ConnectionDep = Annotated[GraphConnection, Depends(_connection)]
IndexDep = Annotated[GraphIndex, Depends(_index)]
BackendDep = Annotated[Backend, Depends(_backend)]
SearchDep = Annotated[SearchIndex, Depends(_search)]
SettingsDep = Annotated[Settings, Depends(settings)]
CypherSlotsDep = Annotated[threading.BoundedSemaphore, Depends(_cypher_slots)]
