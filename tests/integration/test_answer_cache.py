"""The differential's answer cache in the service: bounded in bytes, keyed by the resolved query."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clinkg.service.api.app import create_app
from clinkg.service.api.connection import Served, answer_bytes
from clinkg.service.api.models import DifferentialRequest
from clinkg.service.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def client(build_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(build_dir=build_dir))) as c:
        yield c


def _served(client: TestClient) -> Served:
    served = client.app.state.connection.served  # type: ignore[attr-defined]
    assert served is not None
    return served


def test_many_large_answers_keep_the_cache_under_its_byte_cap(build_dir: Path) -> None:
    cap = 200_000
    with TestClient(create_app(Settings(build_dir=build_dir, answer_cache_bytes=cap))) as client:
        served = _served(client)
        findings = sorted(e.id for e in served.index.entities.values() if e.type == "finding")[:12]
        bodies = [
            {"present": list(pair), "verbose": True, "include_contributors": True}
            for pair in itertools.combinations(findings, 2)
        ]
        sizes = []
        for body in bodies:
            response = client.post("/v1/differential", json=body)
            if response.status_code == 200:
                sizes.append(len(response.content))
            assert served.answers.total_bytes <= cap
        assert sum(sizes) > 2 * cap, "the answers should add up to more than the cap"
        assert 0 < len(served.answers) < len(sizes)


def test_a_thousand_whitespace_padded_bodies_of_one_request_leave_one_entry(client: TestClient) -> None:
    served = _served(client)
    before = len(served.answers)
    for n in range(1000):
        padding = " " * (n % 50 + 1)
        body = f'{{{padding}"present"{padding}:{padding}["{padding[:3]}leg-weakness"]{padding}}}' + "\n" * n
        response = client.post("/v1/differential", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 200
    assert len(served.answers) == before + 1


def test_equal_queries_share_one_entry_in_process(client: TestClient) -> None:
    served = _served(client)
    first = answer_bytes(DifferentialRequest(present=["leg-weakness"]), served)
    before = len(served.answers)
    assert answer_bytes(DifferentialRequest(present=["  leg-weakness  "]), served) == first
    assert len(served.answers) == before
