"""The SPARQL 1.1 Protocol over the embedded Oxigraph store, read-only: GET and POST /sparql.

A mountable router: `sparql_router(workers, settings)` takes the dependencies that give it its worker
pool and settings, so any FastAPI app can include it (rdflib-endpoint's idea). No postponed annotations
here: FastAPI reads the routes' signatures, which name the factory's arguments.
"""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qs

import anyio.to_thread
import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel

from clinkg.service.settings import Settings
from clinkg.service.sparql.exec import QueryFailedError, check_shape
from clinkg.service.sparql.formats import ALL_MEDIA_TYPES, GRAPH, SOLUTIONS
from clinkg.service.sparql.workers import Job, SparqlWorkers

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
READ_ONLY = "this SPARQL endpoint is read-only: SPARQL Update is not accepted"
INLINE_SCAN_CHARS = 10_000  # a shape check this short takes a few milliseconds on the event loop

# The grammar puts only BASE and PREFIX declarations (and comments) before the query or update keyword.
_PROLOGUE = re.compile(r"(?:\s|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s*[^\s:<]*:\s*<[^>]*>)*", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]+")


class Problem(BaseModel):
    detail: str


@dataclass(frozen=True)
class ProtocolRequest:
    """The protocol operation as sent, whichever of GET, POST form or POST body carried it."""

    queries: list[str]
    update: bool
    default_graphs: list[str]
    named_graphs: list[str]
    formats: list[str]


WorkersProvider = Callable[..., Awaitable[SparqlWorkers]]
SettingsProvider = Callable[..., Awaitable[Settings]]
QueryParam = Annotated[
    str | None, Query(description="The SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE).")
]
DefaultGraphs = Annotated[
    list[str] | None,
    Query(alias="default-graph-uri", description="Graphs whose merge is the default graph (replaces FROM)."),
]
NamedGraphs = Annotated[
    list[str] | None,
    Query(alias="named-graph-uri", description="Graphs GRAPH may use (replaces FROM NAMED)."),
]
Formats = Annotated[
    list[str] | None,
    Query(
        alias="format",
        description=f"Overrides Accept: a media type or a name. SELECT/ASK: {', '.join(SOLUTIONS.names)}; "
        f"CONSTRUCT/DESCRIBE: {', '.join(GRAPH.names)}.",
    ),
]


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": f"Results by content negotiation. {SOLUTIONS.kind}: {SOLUTIONS.available()}, "
        f"default JSON. {GRAPH.kind}: {GRAPH.available()}, default Turtle.",
        "content": {media: {"schema": {"type": "string"}} for media in ALL_MEDIA_TYPES},
    },
    400: _problem(
        "No query, several, a bad graph IRI, a syntax error (with the parser's message), or a query nested "
        "deeper than CLINKG_SPARQL_MAX_NESTING or with more than CLINKG_SPARQL_MAX_OPERATORS operators."
    ),
    403: _problem("An update (the endpoint is read-only), or SERVICE while federation is disabled."),
    406: _problem("No acceptable format for this kind of result; the message lists those available."),
    413: _problem("The query is longer than CLINKG_SPARQL_MAX_QUERY_CHARS."),
    415: _problem("A POST body that is neither a form nor application/sparql-query."),
    422: _problem(
        "The result has more rows than CLINKG_SPARQL_MAX_ROWS or more bytes than "
        "CLINKG_SPARQL_MAX_RESULT_BYTES: refused whole, never truncated; add LIMIT."
    ),
    503: _problem(
        "No embedded RDF store; every SPARQL worker busy or starting (with Retry-After); the query ran past "
        "CLINKG_SPARQL_TIMEOUT_S or CLINKG_SPARQL_WORKER_MEMORY_MB and was stopped; or its worker crashed "
        "(it is replaced)."
    ),
}
POST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "required": ["query"],
                    "properties": {
                        "query": {"type": "string"},
                        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    },
                }
            },
            QUERY_BODY: {"schema": {"type": "string"}, "example": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"},
        },
    }
}


def sparql_router(workers: WorkersProvider, settings: SettingsProvider) -> APIRouter:
    """GET and POST /sparql, given dependencies for the worker pool (503 when there is none) and settings."""
    router = APIRouter(tags=["sparql"])

    @router.get("/sparql", response_class=Response, responses=RESPONSES, summary="SPARQL query (GET)")
    async def sparql_get(
        request: Request,
        pool: Annotated[SparqlWorkers, Depends(workers)],
        config: Annotated[Settings, Depends(settings)],
        query: QueryParam = None,
        default_graph_uri: DefaultGraphs = None,
        named_graph_uri: NamedGraphs = None,
        format_: Formats = None,
    ) -> Response:
        """Run a read-only SPARQL query given as `?query=` (W3C SPARQL 1.1 Protocol)."""
        params = request.query_params
        graphs = (default_graph_uri or [], named_graph_uri or [])
        protocol = ProtocolRequest(params.getlist("query"), "update" in params, *graphs, format_ or [])
        return await _answer(pool, config, protocol, request.headers.get("accept"))

    @router.post(
        "/sparql",
        response_class=Response,
        responses=RESPONSES,
        openapi_extra=POST_BODY,
        summary="SPARQL query (POST)",
    )
    async def sparql_post(
        request: Request,
        pool: Annotated[SparqlWorkers, Depends(workers)],
        config: Annotated[Settings, Depends(settings)],
        default_graph_uri: DefaultGraphs = None,
        named_graph_uri: NamedGraphs = None,
        format_: Formats = None,
    ) -> Response:
        """Run a read-only SPARQL query sent as a form (`query=`) or as an `application/sparql-query` body."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == UPDATE_BODY:
            raise HTTPException(403, READ_ONLY)
        if content_type not in (FORM, QUERY_BODY):
            raise HTTPException(415, f"POST a {FORM} form with query=, or a {QUERY_BODY} body")
        body = await _read_body(request, config.sparql_max_query_chars)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HTTPException(400, f"the body is not UTF-8: {exc}") from exc
        params = request.query_params
        graphs = (default_graph_uri or [], named_graph_uri or [])
        if content_type == FORM:
            form = parse_qs(text, keep_blank_values=True)
            graphs = (
                graphs[0] + form.get("default-graph-uri", []),
                graphs[1] + form.get("named-graph-uri", []),
            )
            queries, update = form.get("query", []), "update" in form or "update" in params
        else:
            queries, update = [text], "update" in params
        protocol = ProtocolRequest(queries, update, *graphs, format_ or [])
        return await _answer(pool, config, protocol, request.headers.get("accept"))

    return router


async def _read_body(request: Request, max_chars: int) -> bytes:
    # Percent-encoding takes up to 12 bytes per character; stop reading well before memory is at stake.
    limit = 12 * max_chars + 65536
    too_large = HTTPException(413, f"the request body is larger than this endpoint accepts ({limit} bytes)")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def _answer(
    workers: SparqlWorkers, settings: Settings, protocol: ProtocolRequest, accept: str | None
) -> Response:
    if protocol.update:
        raise HTTPException(403, READ_ONLY)
    if not protocol.queries or not protocol.queries[0].strip():
        raise HTTPException(
            400, "missing query: send query= (GET or form POST) or an application/sparql-query body"
        )
    if len(protocol.queries) > 1:
        raise HTTPException(400, f"exactly one query= is allowed, got {len(protocol.queries)}")
    text = protocol.queries[0]
    if len(text) > settings.sparql_max_query_chars:
        raise HTTPException(
            413, f"the query has {len(text)} characters; the limit is {settings.sparql_max_query_chars}"
        )
    operation = _first_keyword(text)
    if operation in UPDATE_KEYWORDS:
        raise HTTPException(403, f"{READ_ONLY} ({operation} is an update)")
    limits = (settings.sparql_max_nesting, settings.sparql_max_operators)
    try:
        # Linear, before any parser: deep nesting overflows the stack of Oxigraph's recursive parser.
        # A long query's scan (up to ~30 ms at 100,000 characters) runs off the event loop.
        if len(text) > INLINE_SCAN_CHARS:
            await anyio.to_thread.run_sync(check_shape, text, *limits)
        else:
            check_shape(text, *limits)
    except QueryFailedError as failure:
        raise HTTPException(failure.status, failure.detail) from None
    job = Job(
        query=text,
        dataset=_dataset(protocol),
        federation=settings.sparql_service_enabled,
        accept=accept,
        formats=protocol.formats,
        timeout_s=settings.sparql_timeout_s,
        max_rows=settings.sparql_max_rows,
        max_bytes=settings.sparql_max_result_bytes,
        max_nesting=settings.sparql_max_nesting,
        max_operators=settings.sparql_max_operators,
    )
    try:
        media, body = await workers.run(job)
    except QueryFailedError as failure:
        headers = {"Retry-After": str(workers.retry_after_s)} if failure.status == 503 else None
        raise HTTPException(failure.status, failure.detail, headers=headers) from None
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def _first_keyword(text: str) -> str:
    prologue = _PROLOGUE.match(text)
    word = _WORD.match(text, prologue.end() if prologue else 0)
    return word.group().upper() if word else ""


def _dataset(protocol: ProtocolRequest) -> dict[str, list[str]] | None:
    """The dataset as IRIs (checked here; the worker makes the terms)."""
    if not protocol.default_graphs and not protocol.named_graphs:
        return None
    try:
        for iri in (*protocol.default_graphs, *protocol.named_graphs):
            ox.NamedNode(iri)
    except ValueError as exc:
        raise HTTPException(400, f"invalid graph IRI: {exc}") from exc
    return {"default_graph": protocol.default_graphs, "named_graphs": protocol.named_graphs}
