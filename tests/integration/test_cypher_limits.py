"""/v1/cypher on FalkorDB keeps its limits (issue 17, item 14): the database builds at most the row limit
+ 1 rows, a query past CLINKG_CYPHER_TIMEOUT_S is answered 503, and a timed-out or abandoned query gives
its slot back. Over real HTTP (uvicorn), so that a client can give up on a request."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from clinkg.service.api.app import create_app
from clinkg.service.settings import Settings
from clinkg.service.stores.cypher import falkordb_backend

pytestmark = pytest.mark.integration

BUDGET_S = 1.0
# Ten billion rows: built whole, this would never finish; bounded, it is instant.
HUGE = "UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y"
# An aggregate over the same rows cannot be bounded by a LIMIT: only the timeout stops it.
ENDLESS = f"{HUGE} RETURN count(*) AS n"


@pytest.fixture(scope="module")
def cypher_url(falkordb_graph: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live service on FalkorDB: row limit 5, a budget of one second, one query at a time."""
    settings = Settings(
        build_dir=Path(tmp_path_factory.mktemp("unused")),
        cypher_row_limit=5,
        cypher_timeout_s=BUDGET_S,
        cypher_concurrency=1,
    )
    app = create_app(settings, backend=falkordb_backend(falkordb_graph))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the service did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def post(url: str, query: str, wait_s: float = 15.0) -> httpx.Response:
    """POST the query; while the one slot is busy (503 with Retry-After), ask again, up to `wait_s`.
    The client's own timeout bounds every answer: a request the service never answers fails the test."""
    deadline = time.monotonic() + wait_s
    while True:
        response = httpx.post(f"{url}/v1/cypher", json={"query": query}, timeout=wait_s)
        if response.status_code != 503 or "Retry-After" not in response.headers:
            return response
        assert time.monotonic() < deadline, "the Cypher slot never came back"
        time.sleep(0.05)


@pytest.mark.parametrize(
    "query",
    [
        f"{HUGE} RETURN x, y",
        f"{HUGE} RETURN x, y LIMIT 3000000",
        f"{HUGE} RETURN x, y UNION RETURN 0 AS x, 0 AS y",
    ],
    ids=["no-limit", "a-large-limit", "union"],
)
def test_a_result_far_over_the_limit_is_cut_by_the_database(cypher_url: str, query: str) -> None:
    response = post(cypher_url, query)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["rows"]) == 5 and body["truncated"] is True


def test_a_result_within_the_limit_is_whole(cypher_url: str) -> None:
    body = post(cypher_url, "UNWIND range(1, 5) AS x RETURN x").json()
    assert body == {"columns": ["x"], "rows": [[1], [2], [3], [4], [5]], "truncated": False}


def test_a_query_past_its_budget_is_answered_503(cypher_url: str) -> None:
    response = post(cypher_url, ENDLESS)
    assert response.status_code == 503
    assert "budget" in response.json()["detail"]


def test_an_abandoned_query_gives_its_slot_back(cypher_url: str) -> None:
    """The client gives up on a query that would run for hours; the only slot is free again once the
    database has given the query up, and the next query is answered."""
    with pytest.raises(httpx.TimeoutException):
        httpx.post(f"{cypher_url}/v1/cypher", json={"query": ENDLESS}, timeout=0.2)
    response = post(cypher_url, "MATCH (c:Cause {id: 'stroke'}) RETURN c.label AS label")
    assert response.status_code == 200 and response.json()["rows"] == [["Stroke"]]
