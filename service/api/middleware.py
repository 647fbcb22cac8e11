"""ASGI middleware of the service: request ids and access logs, body size limit, bearer token,
security headers. Pure ASGI (no BaseHTTPMiddleware), so streaming and throughput are untouched.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from clinkg.service.sparql.formats import GRAPH, prefers

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("clinkg.access")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
# Data answers may load nothing. A page (any text/html response, whatever its path) runs only the
# scripts of /static, never inline script, and its styles come from /static too (see page_policy for
# the exception). ReDoc starts its workers from blob: URLs.
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")


def page_policy(style_hashes: tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy of a page. `style_hashes` admit exactly those inline <style> elements
    (a vendor bundle that writes fixed ones, never inline script); a page that sets its policy keeps it."""
    style = " ".join(("style-src 'self'", *style_hashes))
    return (
        f"default-src 'none'; script-src 'self'; {style}; img-src 'self' data:; font-src 'self' data:; "
        "connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


PAGE_CSP = (b"content-security-policy", page_policy().encode())
OPEN_PATHS = frozenset({"/health"})
# With a token set, a browser must still get the pages that ask for it: only GET/HEAD of their shells
# and of the bundled assets (neither holds data; every API call a page makes still needs the token).
OPEN_PAGE_PATHS = frozenset({"/", "/docs", "/redoc", "/docs/oauth2-redirect"})
OPEN_PAGE_PREFIXES = ("/e/", "/static/")


async def _json_error(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] = ()) -> None:  # type: ignore[assignment]
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ServiceMiddleware:
    """Request id (X-Request-ID echoed or made), one JSON access-log line per request, a body size
    limit answered with 413 before the body is read whole, an optional bearer token on every route but
    /health, and security headers on every response."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, api_token: str | None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.api_token = api_token.encode() if api_token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"")[:64].decode("latin-1") or os.urandom(16).hex()
        started = time.perf_counter()
        status = 0
        path = scope.get("path", "")
        extra = [*SECURITY_HEADERS, (b"x-request-id", request_id.encode("latin-1"))]

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                sent = message.get("headers", [])
                message["headers"] = [*sent, *extra, *_policy(sent)]
            await send(message)

        try:
            if (
                self.api_token is not None
                and path not in OPEN_PATHS
                and not _open_page(scope, headers)
                and not self._authorized(headers)
            ):
                await _json_error(
                    send_with_headers,
                    401,
                    "a bearer token is required",
                    [(b"www-authenticate", b'Bearer realm="clinkg"')],
                )
                return
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
                await _json_error(send_with_headers, 413, self._too_large())
                return
            body = await read_body(receive, self.max_body_bytes)
            if body is None:
                await _json_error(send_with_headers, 413, self._too_large())
                return
            await self.app(scope, replay(body, receive), send_with_headers)
        finally:
            if log.isEnabledFor(logging.INFO):
                log.info(
                    json.dumps(
                        {
                            "request_id": request_id,
                            "method": scope.get("method"),
                            "path": path,
                            "status": status,
                            "ms": round((time.perf_counter() - started) * 1000, 2),
                        }
                    )
                )

    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_body_bytes} bytes"

    def _authorized(self, headers: dict[bytes, bytes]) -> bool:
        value = headers.get(b"authorization", b"")
        scheme, _, token = value.partition(b" ")
        return (
            scheme.lower() == b"bearer"
            and self.api_token is not None
            and hmac.compare_digest(token, self.api_token)
        )


def _policy(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The Content-Security-Policy to add: none when the response sets its own (a page with a vendor
    bundle's style hashes), the page policy for HTML, the data policy for everything else."""
    html = False
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"content-security-policy":
            return []
        if lowered == b"content-type":
            html = value[:9].lower() == b"text/html"
    return [PAGE_CSP if html else API_CSP]


def _open_page(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    """A request a browser makes for a page shell or its assets, answered without the token."""
    if scope.get("method") not in {"GET", "HEAD"}:
        return False
    path: str = scope.get("path", "")
    if path in OPEN_PAGE_PATHS or path.startswith(OPEN_PAGE_PREFIXES):
        return True
    # The SPARQL workbench: /sparql with no query, asked for as a page by the router's own negotiation (HTML
    # strictly preferred), so that the service description, which counts the data, still needs the
    # token; a query always does.
    if path != "/sparql" or scope.get("query_string"):
        return False
    return prefers("text/html", GRAPH, headers.get(b"accept", b"").decode("latin-1") or None)


async def read_body(receive: Receive, limit: int | None = None) -> bytes | None:
    """The whole body, or None as soon as it passes `limit` (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the buffered body to the app once, then waits on the real channel."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
