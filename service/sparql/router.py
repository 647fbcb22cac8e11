"""The SPARQL 1.1 Protocol over the embedded Oxigraph store, read-only: GET and POST /sparql.

A mountable router: `sparql_router(workers, settings)` takes the dependencies that give it its worker
pool and settings, so any FastAPI app can include it (rdflib-endpoint's idea). No postponed annotations
here: FastAPI reads the routes' signatures, which name the factory's arguments.

GET /sparql without a query describes the service (W3C SPARQL 1.1 Service Description), or, when the
client prefers HTML to every RDF format (a browser) and the app gives a workbench page, answers that page;
GET /void (and /.well-known/void) describes the dataset (VoID).
"""

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

import anyio.to_thread
import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel

from clinkg.service.settings import Settings
from clinkg.service.sparql import description
from clinkg.service.sparql.exec import QueryFailedError, check_shape
from clinkg.service.sparql.formats import ALL_MEDIA_TYPES, GRAPH, SOLUTIONS, NotAcceptableError, prefers
from clinkg.service.sparql.workers import Job, SparqlWorkers

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
RESULTS_JSON = "application/sparql-results+json"
HTML = "text/html"
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
    str | None,
    Query(
        description="The SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE). Without it, GET /sparql "
        "answers the service description (or, to a browser, the SPARQL workbench page).",
        openapi_examples={
            "labels": {
                "summary": "Labels of five entities",
                "value": "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                "SELECT ?entity ?label WHERE { ?entity rdfs:label ?label } ORDER BY ?entity LIMIT 5",
            }
        },
    ),
]
DefaultGraphs = Annotated[
    list[str] | None,
    Query(
        alias="default-graph-uri",
        description="Graphs whose merge is the default graph (replaces FROM).",
        openapi_examples={
            "curated": {"summary": "The curated graph", "value": ["https://w3id.org/clinkg/graph/curated"]}
        },
    ),
]
NamedGraphs = Annotated[
    list[str] | None,
    Query(
        alias="named-graph-uri",
        description="Graphs GRAPH may use (replaces FROM NAMED).",
        openapi_examples={
            "ontology": {"summary": "The ontology graph", "value": ["https://w3id.org/clinkg/graph/ontology"]}
        },
    ),
]
Formats = Annotated[
    list[str] | None,
    Query(
        alias="format",
        description=f"Overrides Accept: a media type or a name. SELECT/ASK: {', '.join(SOLUTIONS.names)}; "
        f"CONSTRUCT/DESCRIBE: {', '.join(GRAPH.names)}.",
        openapi_examples={"json": {"summary": "SPARQL results in JSON", "value": ["json"]}},
    ),
]


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": f"Results by content negotiation. {SOLUTIONS.kind}: {SOLUTIONS.available()}, "
        f"default JSON. {GRAPH.kind}: {GRAPH.available()}, default Turtle; Turtle and TriG declare "
        "the query's prefixes and clinkg's. GET without a query: the W3C SPARQL 1.1 Service "
        "Description in the formats of CONSTRUCT, or the SPARQL workbench (text/html) when the client "
        "prefers HTML to every one of them.",
        "content": {media: {"schema": {"type": "string"}} for media in (*ALL_MEDIA_TYPES, HTML)},
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
FORM_EXAMPLE = "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)"
POST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "required": ["query"],
                    # Swagger fills a form from its properties' examples (never from the media type's).
                    "properties": {
                        "query": {"type": "string", "examples": [FORM_EXAMPLE]},
                        "default-graph-uri": {
                            "type": "array",
                            "items": {"type": "string"},
                            "examples": [["https://w3id.org/clinkg/graph/curated"]],
                        },
                        "named-graph-uri": {
                            "type": "array",
                            "items": {"type": "string"},
                            "examples": [["https://w3id.org/clinkg/graph/ontology"]],
                        },
                    },
                },
                "example": {"query": FORM_EXAMPLE},
            },
            QUERY_BODY: {"schema": {"type": "string"}, "example": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"},
        },
    }
}


VOID_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": f"The VoID description of the dataset, by content negotiation: {GRAPH.available()}, "
        "default Turtle.",
        "content": {media: {"schema": {"type": "string"}} for media in GRAPH.media_types},
    },
    406: RESPONSES[406],
    503: RESPONSES[503],
}
DescriptionFormats = Annotated[
    list[str] | None,
    Query(
        alias="format",
        description=f"Overrides Accept: a media type or a name ({', '.join(GRAPH.names)}).",
        openapi_examples={"turtle": {"summary": "Turtle", "value": ["turtle"]}},
    ),
]


def sparql_router(
    workers: WorkersProvider,
    settings: SettingsProvider,
    *,
    workbench: Callable[[], Response] | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> APIRouter:
    """GET and POST /sparql and GET /void, given dependencies for the worker pool (503 when there is none)
    and settings; `workbench` makes the page a browser gets at GET /sparql, `prefixes` are those every
    Turtle or TriG answer declares (default: clinkg's)."""
    router = APIRouter(tags=["sparql"])
    standard = dict(description.standard_prefixes() if prefixes is None else prefixes)
    # Counted once per release (the workers' store path names it); two first requests at once may both
    # count, which costs time, not correctness.
    counted: dict[Path, description.Statistics] = {}

    async def statistics(pool: SparqlWorkers, config: Settings) -> description.Statistics:
        found = counted.get(pool.store_path)
        if found is None:
            found = counted[pool.store_path] = await description.count(lambda text: _rows(pool, config, text))
        return found

    def described(
        build: Callable[[], tuple[list[Any], dict[str, str]]], accept: str | None, formats: list[str]
    ) -> Response:
        triples, declared = build()
        try:
            media, body = description.serialize(triples, {**standard, **declared}, accept, formats)
        except NotAcceptableError as exc:
            raise HTTPException(
                406, str(exc).replace(GRAPH.kind, "a service or dataset description")
            ) from None
        return Response(body, media_type=media, headers={"Vary": "Accept"})

    @router.get(
        "/sparql",
        response_class=Response,
        responses=RESPONSES,
        summary="SPARQL query (GET)",
        name="sparql_get",
    )
    async def sparql_get(
        request: Request,
        pool: Annotated[SparqlWorkers, Depends(workers)],
        config: Annotated[Settings, Depends(settings)],
        query: QueryParam = None,
        default_graph_uri: DefaultGraphs = None,
        named_graph_uri: NamedGraphs = None,
        format_: Formats = None,
    ) -> Response:
        """Run a read-only SPARQL query given as `?query=` (W3C SPARQL 1.1 Protocol); without one, describe
        the service (W3C SPARQL 1.1 Service Description), or answer the workbench page to a browser."""
        params = request.query_params
        accept = request.headers.get("accept")
        if "query" not in params and "update" not in params:
            if workbench is not None and not format_ and prefers(HTML, GRAPH, accept):
                page = workbench()
                page.headers["Vary"] = "Accept"
                return page
            stats = await statistics(pool, config)
            endpoint, void_url = str(request.url_for("sparql_get")), str(request.url_for("void_description"))
            federation = config.sparql_service_enabled
            return described(
                lambda: description.service_description(endpoint, void_url, stats, federation),
                accept,
                format_ or [],
            )
        graphs = (default_graph_uri or [], named_graph_uri or [])
        protocol = ProtocolRequest(params.getlist("query"), "update" in params, *graphs, format_ or [])
        return await _answer(pool, config, protocol, accept, standard)

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
        return await _answer(pool, config, protocol, request.headers.get("accept"), standard)

    @router.get(
        "/void",
        response_class=Response,
        responses=VOID_RESPONSES,
        summary="VoID description of the dataset",
        name="void_description",
    )
    async def void_get(
        request: Request,
        pool: Annotated[SparqlWorkers, Depends(workers)],
        config: Annotated[Settings, Depends(settings)],
        format_: DescriptionFormats = None,
    ) -> Response:
        """The dataset as VoID describes it: triples, entities, class and property partitions, each named
        graph as a subset, sources, licence and the SPARQL endpoint, counted for the release served."""
        stats = await statistics(pool, config)
        void_url = str(request.url_for("void_description"))
        return described(
            lambda: description.void_description(void_url, stats),
            request.headers.get("accept"),
            format_ or [],
        )

    # Where VoID's specification says a dataset's description is looked for (section 7.2).
    router.add_api_route(
        "/.well-known/void", void_get, methods=["GET"], response_class=Response, include_in_schema=False
    )
    return router


async def _rows(pool: SparqlWorkers, config: Settings, text: str) -> description.Rows:
    """The rows of one of the service's own SELECT queries, run as any query is (workers, budget, caps)."""
    job = Job(
        query=text,
        dataset=None,
        federation=False,
        accept=RESULTS_JSON,
        formats=[],
        timeout_s=config.sparql_timeout_s,
        max_rows=config.sparql_max_rows,
        max_bytes=config.sparql_max_result_bytes,
        max_nesting=config.sparql_max_nesting,
        max_operators=config.sparql_max_operators,
    )
    try:
        _, body = await pool.run(job)
    except QueryFailedError as failure:
        headers = {"Retry-After": str(pool.retry_after_s)} if failure.status == 503 else None
        raise HTTPException(
            failure.status, f"the dataset's figures could not be counted: {failure.detail}", headers=headers
        ) from None
    return description.rows_of(body)


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
    workers: SparqlWorkers,
    settings: Settings,
    protocol: ProtocolRequest,
    accept: str | None,
    prefixes: dict[str, str],
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
        prefixes=prefixes,
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
