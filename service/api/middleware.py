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
# The interactive docs load Swagger UI's script and style; every other response is data only.
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")
OPEN_PATHS = frozenset({"/health"})


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
        if not path.startswith(DOCS_PATHS):
            extra.append(API_CSP)

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            if self.api_token is not None and path not in OPEN_PATHS and not self._authorized(headers):
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
            body = await self._read_body(receive)
            if body is None:
                await _json_error(send_with_headers, 413, self._too_large())
                return
            await self.app(scope, _replay(body, receive), send_with_headers)
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

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit (the rest is never read)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the buffered body to the app once, then waits on the real channel."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
