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


def test_kept_candidate_pieces_give_the_answers_computed_afresh(build_dir: Path) -> None:
    """A candidate's JSON is kept per support (AnswerViews.candidate): answers served from those pieces
    are byte for byte those of views that have kept nothing, in both forms, ranks included."""
    from clinkg.service.api.answers import AnswerViews
    from clinkg.service.api.connection import prepare
    from clinkg.service.ranking.answer import answer

    with TestClient(create_app(Settings(build_dir=build_dir, answer_cache_size=0))) as client:
        served = _served(client)
        findings = sorted(e.id for e in served.index.entities.values() if e.type == "finding")[:10]
        bodies = [{"present": ["leg-weakness", *pair]} for pair in itertools.combinations(findings, 2)]
        bodies += [
            {"present": ["leg-weakness", f], "absent": ["back-pain"], "limit": 4}
            for f in findings
            if f != "back-pain"
        ]
        for _ in range(2):  # the second round takes every candidate from the pieces the first kept
            for body in bodies:
                for verbose in (False, True):
                    request = DifferentialRequest.model_validate({**body, "verbose": verbose})
                    query = prepare(request, served).query
                    fresh = AnswerViews(served.index, served.ranking.weights, served.views.hpo)
                    expected = fresh.dumps(answer(query, served.ranking), verbose)
                    assert served.views.dumps(answer(query, served.ranking), verbose) == expected
        assert len(served.views.candidate_json) > 0


def test_the_in_process_answer_is_plain_json_values(client: TestClient) -> None:
    """answer_json (tests, clinkg rank, the stories benchmark) gives dicts and lists, never the serialized
    pieces the views keep, and the bytes the route sends."""
    from clinkg.service.api.connection import answer_json, fresh_answer_bytes

    served = _served(client)
    request = DifferentialRequest.model_validate({"present": ["leg-weakness", "saddle-anesthesia"]})
    found = answer_json(request, served)
    assert isinstance(found["candidates"][0], dict) and found["candidates"][0]["rank"] == 1
    assert isinstance(found["tests"], list)
    assert fresh_answer_bytes(request, served) == answer_bytes(request, served)
