"""Dependencies of the routes, as Annotated aliases (the backend and index come from the lifespan).

They are `async` on purpose: FastAPI runs a sync dependency in a worker thread, which cost more than
the whole differential.
"""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request

from clinkg.service.api.connection import GraphConnection
from clinkg.service.ranking.graph_index import GraphIndex
from clinkg.service.settings import Settings
from clinkg.service.stores.base import Backend


async def _connected(request: Request) -> tuple[Backend, GraphIndex]:
    connection: GraphConnection = request.app.state.connection
    if connection.backend is not None and connection.index is not None:
        return connection.backend, connection.index
    # Reconnecting may wait on the network: keep it off the event loop.
    return await anyio.to_thread.run_sync(connection.ensure)


async def _index(request: Request) -> GraphIndex:
    return (await _connected(request))[1]


async def _backend(request: Request) -> Backend:
    return (await _connected(request))[0]


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


IndexDep = Annotated[GraphIndex, Depends(_index)]
BackendDep = Annotated[Backend, Depends(_backend)]
SettingsDep = Annotated[Settings, Depends(_settings)]
