"""The differential's hot path: a successful POST /v1/differential answered without the router.

Behind the service's middleware (request id, access log, body limit, token, security headers) a request
for the differential is answered here when everything goes right: the store is connected, the body is a
valid request, and ranking answers. Anything else (a bad body, an unknown item, a note too long, the
store down, an unexpected error) is handed, with its body, to the declared route, which answers it as
every other route does, through the app's error handlers. So the route stays the one description of the
operation (OpenAPI, errors), and the hot path is only a shortcut for its 200.

Why: FastAPI's and Starlette's plumbing (exception middleware, routing, the request object, the response
class) cost about as much as the whole uncached differential; a hello-world POST pays it too, so it is
what decided the differential's throughput beside it (bench/seed_bench.py).
"""

from __future__ import annotations

from starlette._utils import get_route_path

from clinkg.service.api.connection import answer_bytes
from clinkg.service.api.deps import connected
from clinkg.service.api.middleware import ASGIApp, Receive, Scope, Send, read_body, replay
from clinkg.service.api.models import DifferentialRequest

PATH = "/v1/differential"
_HEADERS = [(b"content-type", b"application/json")]


class DifferentialHotPath:
    """Answers POST /v1/differential's successes itself; hands every other request on unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or get_route_path(scope) != PATH:
            await self.app(scope, receive, send)
            return
        # ServiceMiddleware has read the body whole and bounded its size already.
        body = await read_body(receive) or b""
        answered = _answer(scope, body)
        if answered is None:
            await self.app(scope, replay(body, receive), send)
            return
        headers = [*_HEADERS, (b"content-length", b"%d" % len(answered))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answered})


def _answer(scope: Scope, body: bytes) -> bytes | None:
    """The answer's bytes, or None where the route must answer (it reports what went wrong)."""
    served = connected(scope["app"])
    if served is None:
        return None
    try:
        return answer_bytes(DifferentialRequest.model_validate_json(body), served)
    except Exception:  # noqa: BLE001 - the route answers it again and reports it through the handlers
        return None
