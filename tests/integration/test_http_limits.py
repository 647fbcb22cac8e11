"""The HTTP server as `clinkg serve` runs it (service/server.py): bounded URLs and headers, a read deadline
for every request, and JSON errors with security headers from the server itself."""

from __future__ import annotations

import asyncio
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from clinkg.service.api.app import create_app
from clinkg.service.server import free_port, in_thread
from clinkg.service.settings import Settings

pytestmark = pytest.mark.integration

READ_TIMEOUT_S = 0.5
DEADLINE_S = 30.0  # generous: how long a test waits for what should happen after READ_TIMEOUT_S


@contextmanager
def serving(app: Any, settings: Settings) -> Iterator[tuple[str, int]]:
    """`app` served in a thread with the options `clinkg serve` uses; yields host and port."""
    with in_thread(settings, app=app, log_level="error", startup_s=DEADLINE_S) as url:
        host, _, port = url.removeprefix("http://").partition(":")
        yield host, int(port)


@pytest.fixture(scope="module")
def limited(build_dir: Path) -> Iterator[tuple[str, int]]:
    settings = Settings(build_dir=build_dir, read_timeout_s=READ_TIMEOUT_S)
    with serving(create_app(settings), settings) as address:
        yield address


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (a reset after the answer counts as the end)."""
    sock.settimeout(DEADLINE_S)
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(raw: bytes) -> tuple[int, dict[str, str], Any]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, json.loads(body)


def _closed_by_server(sock: socket.socket) -> bytes:
    """What the server sent before it closed the connection; fails if it is still open after the deadline."""
    try:
        return _read_all(sock)
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {DEADLINE_S} s")


def test_an_oversized_header_is_431_json_while_health_keeps_answering(limited: tuple[str, int]) -> None:
    host, port = limited
    statuses: list[int] = []
    done = threading.Event()

    def poll_health() -> None:
        with httpx.Client(base_url=f"http://{host}:{port}", timeout=DEADLINE_S) as client:
            while not done.is_set():
                statuses.append(client.get("/health").status_code)

    def wait_for_health(count: int) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while len(statuses) < count and time.monotonic() < deadline:
            time.sleep(0.01)

    poller = threading.Thread(target=poll_health)
    poller.start()
    wait_for_health(1)
    chunk, budget, sent = b"a" * 16384, 64 * 1024 * 1024, 0
    try:
        with socket.create_connection((host, port)) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nhost: x\r\nx-big: ")
            # Send until the server answers (it must not wait for the whole header), at most 64 MiB.
            while sent < budget and not select.select([sock], [], [], 0)[0]:
                try:
                    sock.sendall(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += len(chunk)
            answered_at = len(statuses)
            status, headers, body = _parse(_read_all(sock))
        wait_for_health(answered_at + 3)
    finally:
        done.set()
        poller.join()
    assert status == 431
    assert "header fields are larger than" in body["detail"]
    assert headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff"
    assert sent < budget
    assert len(statuses) >= answered_at + 3 and set(statuses) == {200}


def test_a_header_over_the_limit_in_one_packet_is_431(limited: tuple[str, int]) -> None:
    host, port = limited
    with socket.create_connection((host, port)) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nhost: x\r\n" + b"x-a: b\r\n" * 5000 + b"\r\n")
        status, _, body = _parse(_read_all(sock))
    assert status == 431 and body["detail"]


@pytest.mark.parametrize("size", [40_000, 70_000, 300_000])
def test_an_over_long_url_is_414_json(limited: tuple[str, int], size: int) -> None:
    # A raw request: httpx refuses to send a URL past 64 KiB itself.
    with socket.create_connection(limited) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D" + b"%20" * (size // 3) + b" HTTP/1.1\r\nhost: x\r\n\r\n")
        status, headers, body = _parse(_read_all(sock))
    assert status == 414
    assert "by POST" in body["detail"]
    assert headers["x-frame-options"] == "DENY"


def test_a_url_under_the_limit_still_reaches_the_service(limited: tuple[str, int]) -> None:
    host, port = limited
    with httpx.Client(base_url=f"http://{host}:{port}", timeout=DEADLINE_S) as client:
        response = client.get("/v1/search", params={"q": "weak legs " * 2_000})
    assert response.status_code != 414
    assert response.headers["content-type"] == "application/json"


def test_what_is_not_http_is_a_400_json_with_security_headers(limited: tuple[str, int]) -> None:
    host, port = limited
    with socket.create_connection((host, port)) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        status, headers, body = _parse(_read_all(sock))
    assert status == 400 and body["detail"]
    assert headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in headers["content-security-policy"]


def test_a_connection_that_sends_nothing_is_closed(limited: tuple[str, int]) -> None:
    with socket.create_connection(limited) as sock:
        assert _closed_by_server(sock) == b""


def test_half_a_request_head_is_answered_408_and_closed(limited: tuple[str, int]) -> None:
    with socket.create_connection(limited) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nhost: x\r\n")
        status, headers, body = _parse(_closed_by_server(sock))
    assert status == 408 and "did not arrive" in body["detail"]
    assert headers["x-content-type-options"] == "nosniff"


def test_a_body_that_stops_coming_is_closed(limited: tuple[str, int]) -> None:
    with socket.create_connection(limited) as sock:
        sock.sendall(
            b"POST /v1/differential HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            b"content-length: 100\r\n\r\n" + b'{"present": '
        )
        _closed_by_server(sock)  # no answer is owed: the request never arrived


def test_a_trickling_client_is_closed_even_though_bytes_keep_coming(limited: tuple[str, int]) -> None:
    with socket.create_connection(limited) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\n")
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            try:
                sock.sendall(b"x")
            except (BrokenPipeError, ConnectionResetError):
                break
            if select.select([sock], [], [], READ_TIMEOUT_S / 5)[0]:
                break
        status, _, _ = _parse(_closed_by_server(sock))
    assert status == 408


def test_keep_alive_requests_and_slow_answers_are_not_cut() -> None:
    """The deadline is for receiving a request: an answer that takes longer than it, or a connection
    reused for several requests, is served."""

    async def slow(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await asyncio.sleep(READ_TIMEOUT_S * 3)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    settings = Settings(read_timeout_s=READ_TIMEOUT_S)
    with (
        serving(slow, settings) as (host, port),
        httpx.Client(base_url=f"http://{host}:{port}", timeout=DEADLINE_S) as client,
    ):
        assert [client.get("/").text for _ in range(3)] == ["ok"] * 3


def test_clinkg_serve_runs_with_the_limits(build_dir: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "CLINKG_BUILD_DIR": str(build_dir),
        "CLINKG_READ_TIMEOUT_S": str(READ_TIMEOUT_S),
        "CLINKG_MAX_URL_BYTES": "2048",
    }
    cli = [str(Path(sys.executable).parent / "clinkg"), "serve", "--no-build", "--port", str(port)]
    process = subprocess.Popen(cli, env=env, stderr=subprocess.DEVNULL)  # noqa: S603 - our own CLI
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("clinkg serve did not start")
            time.sleep(0.1)
        assert httpx.get(f"{url}/v1/search", params={"q": "x" * 3000}).status_code == 414
        with socket.create_connection(("127.0.0.1", port)) as sock:
            assert _closed_by_server(sock) == b""
    finally:
        process.terminate()
        process.wait(timeout=30)
