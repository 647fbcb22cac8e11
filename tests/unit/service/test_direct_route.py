"""DirectRoute: request-only dependencies called directly; anything else keeps FastAPI's handler."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.testclient import TestClient

from clinkg.service.api.direct_route import DirectRoute


async def _name(request: Request) -> str:
    return str(request.app.state.name)


NameDep = Annotated[str, Depends(_name)]


def _app() -> tuple[FastAPI, APIRouter]:
    router = APIRouter(route_class=DirectRoute)

    @router.post("/direct")
    async def direct(http: Request, name: NameDep) -> Response:
        return Response(name.encode() + await http.body())

    @router.get("/solved")
    async def solved(name: NameDep, q: str = "") -> Response:  # a query parameter: FastAPI's handler
        return Response(f"{name}:{q}".encode())

    app = FastAPI()
    app.include_router(router)
    app.state.name = "clinkg"
    return app, router


def test_request_only_dependencies_are_called_directly() -> None:
    app, router = _app()
    routes = {r.path: r for r in router.routes if isinstance(r, DirectRoute)}
    assert "DirectRoute" in routes["/direct"].get_route_handler().__qualname__
    assert "DirectRoute" not in routes["/solved"].get_route_handler().__qualname__
    with TestClient(app) as client:
        assert client.post("/direct", content=b"!").content == b"clinkg!"
        assert client.get("/solved", params={"q": "x"}).content == b"clinkg:x"
