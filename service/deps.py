"""Dependencies of the routes, as Annotated aliases (the backend and index come from the lifespan).

They are `async` on purpose: FastAPI runs a sync dependency in a worker thread, which cost more than
the whole differential.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .graph_index import GraphIndex
from .settings import Settings
from .stores.base import Backend


async def _index(request: Request) -> GraphIndex:
    return request.app.state.index  # type: ignore[no-any-return]


async def _backend(request: Request) -> Backend:
    return request.app.state.backend  # type: ignore[no-any-return]


async def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


IndexDep = Annotated[GraphIndex, Depends(_index)]
BackendDep = Annotated[Backend, Depends(_backend)]
SettingsDep = Annotated[Settings, Depends(_settings)]
