"""How the service is served over HTTP (`clinkg serve`): uvicorn, with the limits it lacks on its own.

uvicorn 0.54 bounds neither the head of a request with its default parser (httptools: a 128 MiB header
was read whole, stalling every other request) nor the time a connection may take to send one: its only
timeout is `timeout_keep_alive`, between requests, so a connection that sends nothing or half a request is
held forever (20,000 of them exhausted the file descriptors). Its own errors are plain text without the
service's security headers, and a URL past 65,535 bytes is a bare 400. gunicorn's request limits do not
reach its uvicorn workers, and a reverse proxy is not there under `clinkg serve` without Docker, so the
limits are set here, on uvicorn's own httptools protocol (uvicorn's `http` option takes a protocol class):

- the URL (414) and the header fields (431) are bounded, checked as the bytes arrive;
- a request must arrive whole within `CLINKG_READ_TIMEOUT_S` of its first byte (or of the connection's
  opening), else the connection is closed (408 when part of a head had come);
- every error the server answers itself is JSON `{"detail": ...}` with the service's security headers,
  and the connection lingers a moment before it closes, so that a client still sending reads the answer
  instead of a reset.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from clinkg.service.api.middleware import API_CSP, SECURITY_HEADERS
from clinkg.service.settings import Settings

# How long a refused connection keeps reading (and dropping) what its client still sends before it
# closes: closing a socket with unread bytes sends a reset, which can destroy the answer in flight.
LINGER_S = 2.0
REASONS = {
    400: b"Bad Request",
    408: b"Request Timeout",
    414: b"URI Too Long",
    431: b"Request Header Fields Too Large",
}


@dataclass(frozen=True)
class Limits:
    """What one connection may send: URL and header bytes, and the time to send a whole request."""

    max_url_bytes: int
    max_header_bytes: int
    read_timeout_s: float

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.max_url_bytes, settings.max_header_bytes, settings.read_timeout_s)


class _RefusedError(httptools.HttpParserError):
    """Raised from a parser callback to stop parsing; uvicorn then calls `send_400_response`, which
    answers with the status recorded on the protocol."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bounded head, a read deadline and JSON errors; `protocol()`
    makes the class of given settings."""

    limits: ClassVar[Limits]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._in_head = False  # between the first byte of a request and the end of its headers
        self._head_bytes = 0  # bytes received in the head so far (httptools buffers partial headers)
        self._header_bytes = 0  # bytes of complete header fields
        self._refusal: tuple[int, str] | None = None
        self._closing = False  # answered and lingering: what arrives now is dropped

    # Connection events

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        super().data_received(data)
        if self._in_head and not self._closing:
            # The part of a header httptools holds until the field ends is only seen here, by count.
            self._head_bytes += len(data)
            if len(self.url) > self.limits.max_url_bytes:
                self._refuse(414, self._url_too_long())
            elif self._head_bytes - len(self.url) > self.limits.max_header_bytes + 64:
                self._refuse(431, self._headers_too_large())

    # Parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes, self._header_bytes = True, 0, 0
        self._arm()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.limits.max_url_bytes:
            self._stop(414, self._url_too_long())

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4  # ": " and CRLF
        if self._header_bytes > self.limits.max_header_bytes:
            self._stop(431, self._headers_too_large())
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()

    def handle_websocket_upgrade(self) -> None:
        self._disarm()  # the connection is the WebSocket protocol's from now on
        self._in_head = False
        super().handle_websocket_upgrade()

    # Answers of the server itself

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to anything its parser refuses (also to `_stop`): JSON, with our headers."""
        status, detail = self._refusal or (400, "the request is not valid HTTP/1.1")
        self._refuse(status, detail)

    def _stop(self, status: int, detail: str) -> None:
        self._refusal = (status, detail)
        raise _RefusedError(detail)

    def _refuse(self, status: int, detail: str) -> None:
        """Answer with a JSON error, stop reading requests, and close once the client stops sending."""
        self._disarm()
        self._closing = True
        if self.transport.is_closing():
            return
        self.transport.write(error_response(status, detail))
        if self.transport.can_write_eof():
            self.transport.write_eof()  # the client sees the end of the answer; its EOF closes us
            self.loop.call_later(LINGER_S, self.transport.close)
        else:
            self.transport.close()

    def _timed_out(self) -> None:
        self._deadline = None
        if self.transport.is_closing() or self._closing:
            return
        if self._in_head:
            self._refuse(408, f"the request did not arrive within {self.limits.read_timeout_s:g} s")
        else:  # nothing sent yet, or a body that stopped coming: the app (if any) sees a disconnect
            self.transport.close()

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.limits.read_timeout_s, self._timed_out)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _url_too_long(self) -> str:
        return f"the URL is longer than {self.limits.max_url_bytes} bytes; send a long SPARQL query by POST"

    def _headers_too_large(self) -> str:
        return f"the header fields are larger than {self.limits.max_header_bytes} bytes"


def error_response(status: int, detail: str) -> bytes:
    """A whole HTTP/1.1 response `{"detail": detail}` that closes the connection, with the headers the
    service's middleware puts on every answer."""
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *SECURITY_HEADERS,
        API_CSP,
        (b"x-request-id", os.urandom(16).hex().encode()),
    ]
    head = b"HTTP/1.1 %d %s\r\n" % (status, REASONS.get(status, b"Error"))
    return head + b"".join(name + b": " + value + b"\r\n" for name, value in headers) + b"\r\n" + body


def protocol(settings: Settings) -> type[LimitedHttpToolsProtocol]:
    """The HTTP protocol class with the limits of these settings (uvicorn's `http` option)."""
    return type("LimitedHttpToolsProtocol", (LimitedHttpToolsProtocol,), {"limits": Limits.of(settings)})


def options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for serving under these settings: `uvicorn.run(app, **options(settings), ...)`."""
    return {"http": protocol(settings), "timeout_keep_alive": settings.keep_alive_s}


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def in_thread(
    settings: Settings, app: Any = None, log_level: str = "warning", startup_s: float = 30
) -> Iterator[str]:
    """The service (or another ASGI `app`), as `clinkg serve` configures it, in a thread on a free loopback
    port; yields its URL. For tests and scripts that drive it over real HTTP (browser tests, screenshots)."""
    import uvicorn

    from clinkg.service.api.app import create_app

    port = free_port()
    config = uvicorn.Config(
        app if app is not None else create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level=log_level,
        **options(settings),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_s
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
