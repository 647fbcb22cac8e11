"""The FastAPI application: one backend and one graph index, opened in the lifespan and injected."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from starlette.exceptions import HTTPException

from clinkg import __version__
from clinkg.service.api.connection import GraphConnection, NoteTooLongError, UnknownItemsError
from clinkg.service.api.deps import settings as settings_dependency
from clinkg.service.api.deps import sparql_workers
from clinkg.service.api.hot_path import DifferentialHotPath
from clinkg.service.api.middleware import ServiceMiddleware
from clinkg.service.api.routes import cypher, differential, entities, health, intake, paths, search
from clinkg.service.ranking.answer import UnresolvedError
from clinkg.service.settings import Settings, get_settings
from clinkg.service.sparql.router import sparql_router
from clinkg.service.stores.base import Backend, BackendUnavailableError, QueryInvalidError, WriteRefusedError
from clinkg.service.stores.oxigraph import OxigraphBackend
from clinkg.service.web import docs, examples
from clinkg.service.web.routes import page_response
from clinkg.service.web.routes import router as web_router


class ErrorResponse(JSONResponse):
    """An error's JSON that can always be sent: a character UTF-8 cannot encode (a lone surrogate, which
    Python's JSON parser lets through from a `\\ud800` escape) is replaced, never a 500 in its place."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8", "replace")


def open_backend(settings: Settings) -> Backend:
    """The backend the settings ask for."""
    if settings.backend == "oxigraph":
        return OxigraphBackend.open(settings.store)
    from clinkg.service.stores.cypher import neo4j_backend

    if settings.neo4j_password is None:
        raise BackendUnavailableError("CLINKG_NEO4J_PASSWORD is not set: the Neo4j backend needs it")
    return neo4j_backend(
        settings.neo4j_uri,
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
        settings.neo4j_database,
        settings.cypher_timeout_s,
    )


def _telemetry(settings: Settings) -> TelemetryConfig:
    """FastAPI's native OpenTelemetry, on only when CLINKG_OTEL asks for it."""
    return {"tracing": settings.otel, "metrics": settings.otel, "logs": settings.otel}


def create_app(
    settings: Settings | None = None,
    backend: Backend | None = None,
    backend_factory: Callable[[], Backend] | None = None,
) -> FastAPI:
    """Build the app; `backend` or `backend_factory` (tests, benchmarks) replace what the settings open."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        chosen = settings or get_settings()
        if backend is not None:
            factory: Callable[[], Backend] = lambda: backend  # noqa: E731
        else:
            factory = backend_factory or (lambda: open_backend(chosen))
        connection = GraphConnection(factory, chosen, owns_backend=backend is None)
        app.state.settings = chosen
        app.state.connection = connection
        # If the store is unavailable the service starts degraded: requests answer 503 and retry.
        with contextlib.suppress(BackendUnavailableError):
            connection.connect()
        try:
            yield
        finally:
            connection.close()

    app = FastAPI(
        title="clinkg",
        version=__version__,
        summary="A curated clinical knowledge graph: differential with explanations, search, SPARQL.",
        description=(
            "Decision support for clinicians, not a diagnosis. Every answer explains itself with the "
            "paths it walked and the provenance of every edge."
        ),
        lifespan=lifespan,
        telemetry=_telemetry(settings or get_settings()),
        # Our own pages (service/web/docs.py): FastAPI's load Swagger UI and ReDoc from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    # No two routers share a path, so their order is free. The differential's successes never reach the
    # router (service/api/hot_path.py).
    for module in (differential, health, search, entities, paths, intake, cypher):
        app.include_router(module.router)
    # A browser asking /sparql for HTML gets the workbench page; every other client the protocol.
    app.include_router(
        sparql_router(sparql_workers, settings_dependency, workbench=lambda: page_response("workbench.html"))
    )
    app.include_router(web_router)
    app.include_router(examples.router)
    app.include_router(docs.router)
    chosen = settings or get_settings()
    app.openapi = docs.with_bearer_scheme(app, chosen.api_token is not None)  # type: ignore[method-assign]
    app.state.cypher_slots = threading.BoundedSemaphore(chosen.cypher_concurrency)
    if not chosen.otel:
        # Innermost, so the service's middleware wraps it as it wraps every route (service/api/hot_path.py).
        # With OpenTelemetry on, every differential goes through the router, where FastAPI traces it.
        app.add_middleware(DifferentialHotPath)
    app.add_middleware(
        ServiceMiddleware,
        max_body_bytes=chosen.max_body_bytes,
        api_token=chosen.api_token.get_secret_value() if chosen.api_token else None,
    )
    if chosen.cors_origins:
        # A browser asks before it sends a token or a JSON body (neither is a "simple" request).
        app.add_middleware(
            CORSMiddleware,
            allow_origins=chosen.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-request-id"],
            expose_headers=["x-request-id"],
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never a stack trace to the client; the log has it, under the request id the client got.
        logging.getLogger("clinkg").exception("unhandled error on %s", request.url.path)
        return ErrorResponse(status_code=500, content={"detail": "internal error; see the server log"})

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return ErrorResponse(status_code=exc.status_code, content={"detail": exc.detail}, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
            for err in exc.errors()
        ]
        return ErrorResponse(status_code=422, content={"detail": problems})

    @app.exception_handler(UnresolvedError)
    async def unresolved(_: Request, exc: UnresolvedError) -> JSONResponse:
        content: dict[str, object] = {"detail": str(exc)}
        if isinstance(exc, UnknownItemsError):
            content["unknown"] = exc.suggestions
        return ErrorResponse(status_code=422, content=content)

    @app.exception_handler(NoteTooLongError)
    async def note_too_long(_: Request, exc: NoteTooLongError) -> JSONResponse:
        return ErrorResponse(status_code=413, content={"detail": str(exc)})

    @app.exception_handler(QueryInvalidError)
    async def invalid_query(_: Request, exc: QueryInvalidError) -> JSONResponse:
        return ErrorResponse(status_code=400, content={"detail": f"the query was refused: {exc}"})

    @app.exception_handler(WriteRefusedError)
    async def write_refused(_: Request, exc: WriteRefusedError) -> JSONResponse:
        return ErrorResponse(status_code=403, content={"detail": f"the query was refused: {exc}"})

    @app.exception_handler(BackendUnavailableError)
    async def unavailable(_: Request, exc: BackendUnavailableError) -> JSONResponse:
        return ErrorResponse(status_code=503, content={"detail": str(exc)})

    return app
