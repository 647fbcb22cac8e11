"""GET /health and /ready over HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from clinkg.service.settings import Settings

from .sparql_helpers import ASK, ready, serving, sparql, until

pytestmark = pytest.mark.integration


def test_health_names_the_backend_size_and_content(http: httpx.Client) -> None:
    body = http.get("/health").json()
    assert body["status"] == "ok"
    assert body["backend"] == "oxigraph"
    assert body["triples"] > 4000
    assert len(body["content_hash"]) == 64


def test_ready_says_no_until_the_sparql_workers_can_answer(build_dir: Path) -> None:
    # Workers that cannot start (an address-space cap too small to run one) leave /health ok, and /ready
    # and /sparql saying why.
    with serving(Settings(build_dir=build_dir, sparql_worker_memory_mb=16)) as (url, _):
        assert httpx.get(f"{url}/health", timeout=30).json()["status"] == "ok"

        def refused() -> bool:
            response = httpx.get(f"{url}/ready", timeout=30)
            return response.status_code == 503 and "cannot start" in response.json()["detail"]

        until(refused, "/ready saying the SPARQL workers cannot start")
        response = sparql(url, ASK)
        assert response.status_code == 503 and "cannot start" in response.json()["detail"]


def test_ready_means_a_sparql_query_is_answered_at_once(build_dir: Path) -> None:
    with serving(Settings(build_dir=build_dir, sparql_queue_wait_s=0)) as (url, _):
        until(lambda: ready(url), "/ready")
        assert "2 of 2 SPARQL workers ready" in httpx.get(f"{url}/ready", timeout=30).json()["sparql"]
        response = sparql(url, ASK)  # no wait allowed: a worker must be there already
        assert response.status_code == 200, response.text
