"""The FastAPI application: one backend and one graph index, opened in the lifespan and injected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from clinkg import __version__

from .api.routes import differential, entities, health, paths, search, sparql
from .graph_index import GraphIndex
from .settings import Settings, get_settings
from .stores.base import Backend, BackendUnavailableError


def open_backend(settings: Settings) -> Backend:
    """The backend the settings ask for."""
    if settings.backend == "oxigraph":
        from .stores.oxigraph import OxigraphBackend

        return OxigraphBackend.open(settings.store)
    raise BackendUnavailableError(f"backend {settings.backend!r} is not available in this build")


def create_app(settings: Settings | None = None, backend: Backend | None = None) -> FastAPI:
    """Build the app; `backend` (tests, benchmarks) replaces the one the settings would open."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        chosen = settings or get_settings()
        store = backend or open_backend(chosen)
        app.state.settings = chosen
        app.state.backend = store
        app.state.index = GraphIndex.load(store)
        try:
            yield
        finally:
            if backend is None:
                store.close()

    app = FastAPI(
        title="clinkg",
        version=__version__,
        summary="A curated clinical knowledge graph: differential with explanations, search, SPARQL.",
        description=(
            "Decision support for clinicians, not a diagnosis. Every answer explains itself with the "
            "paths it walked and the provenance of every edge."
        ),
        lifespan=lifespan,
    )
    for module in (health, search, entities, paths, differential):
        app.include_router(module.router)
    app.include_router(sparql.router)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
            for err in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": problems})

    @app.exception_handler(BackendUnavailableError)
    async def unavailable(_: Request, exc: BackendUnavailableError) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": str(exc)})

    return app
