"""GET /health over HTTP."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.integration


def test_health_names_the_backend_size_and_content(http: httpx.Client) -> None:
    body = http.get("/health").json()
    assert body["status"] == "ok"
    assert body["backend"] == "oxigraph"
    assert body["triples"] > 4000
    assert len(body["content_hash"]) == 64
