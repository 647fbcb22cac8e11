"""Bad and hostile input over HTTP: clear 4xx JSON answers, never a 5xx or a stack trace."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from clinkg.service.api.app import create_app
from clinkg.service.settings import Settings

pytestmark = pytest.mark.integration


def test_a_body_over_the_limit_is_413_before_it_is_read(http: httpx.Client) -> None:
    body = json.dumps({"present": ["leg-weakness"] * 200_000})
    response = http.post("/v1/differential", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_a_chunked_body_over_the_limit_is_413(http: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"present": ['
        for _ in range(100_000):
            yield b'"leg-weakness",'
        yield b'"fatigue"]}'

    response = http.post("/v1/differential", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_too_many_findings_is_422(http: httpx.Client) -> None:
    response = http.post("/v1/differential", json={"present": ["leg-weakness"] * 51})
    assert response.status_code == 422
    assert "at most 50" in response.json()["detail"]


@pytest.mark.parametrize("body", [b"{", b"[]", b"null", b'{"present": ["leg-weakness"]', b"\xff\xfe"])
def test_malformed_json_is_422_with_json_detail(http: httpx.Client, body: bytes) -> None:
    response = http.post("/v1/differential", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    ["/nope", "/v1/entities/..%2F..%2Fetc%2Fpasswd", "/v1/..%2Fhealth", "/v1/differential/x", "/%2e%2e/"],
)
def test_unknown_routes_and_path_tricks_are_404_json(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["detail"]


def test_wrong_method_is_405_json(http: httpx.Client) -> None:
    response = http.get("/v1/differential")
    assert response.status_code == 405
    assert response.json()["detail"]


def test_security_headers_and_request_ids(http: httpx.Client) -> None:
    response = http.get("/health", headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert len(http.get("/health").headers["x-request-id"]) == 32


def test_cors_is_off_unless_configured(http: httpx.Client) -> None:
    response = http.options(
        "/v1/differential",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers


def test_ready_reports_the_store(http: httpx.Client) -> None:
    body = http.get("/ready").json()
    assert body["status"] == "ready" and body["entities"] > 80


@pytest.fixture(scope="module")
def guarded(build_dir: Path) -> Iterator[TestClient]:
    app = create_app(
        Settings(build_dir=build_dir, api_token=SecretStr("s3cret"), cors_origins=["https://ui.example"])
    )
    with TestClient(app) as client:
        yield client


def test_a_configured_token_guards_every_route_but_health(guarded: TestClient) -> None:
    assert guarded.get("/health").status_code == 200
    for path in ("/v1/entities", "/v1/search?q=leg", "/sparql?query=ASK{}", "/ready", "/openapi.json"):
        response = guarded.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert guarded.get("/v1/entities", headers={"authorization": "Bearer wrong"}).status_code == 401
    assert guarded.get("/v1/entities", headers={"authorization": "Bearer s3cret"}).status_code == 200


def test_configured_cors_origins_are_allowed(guarded: TestClient) -> None:
    response = guarded.options(
        "/health", headers={"origin": "https://ui.example", "access-control-request-method": "GET"}
    )
    assert response.headers["access-control-allow-origin"] == "https://ui.example"


def test_a_preflight_for_a_token_and_a_json_body_is_allowed(guarded: TestClient) -> None:
    response = guarded.options(
        "/v1/differential",
        headers={
            "origin": "https://ui.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    answer = guarded.post(
        "/v1/differential",
        json={"present": ["leg-weakness"]},
        headers={"origin": "https://ui.example", "authorization": "Bearer s3cret"},
    )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "https://ui.example"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/differential", b'{"present": ["\\ud800"]}'),
        ("/v1/differential", b'{"present": ["leg-weakness"], "absent": ["\\udfff"], "unknown": "ignore"}'),
        ("/v1/differential", b'{"text": "weak legs \\ud800"}'),
        ("/v1/intake", b'{"text": "\\ud800 my legs are weak"}'),
        ("/v1/intake", b'{"present": ["\\ud800"]}'),
        ("/v1/cypher", b'{"present": ["\\ud800"]}'),
    ],
)
def test_a_lone_surrogate_is_a_422_that_does_not_echo_it(http: httpx.Client, path: str, body: bytes) -> None:
    response = http.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    assert "\\ud800" not in response.text.lower() and "\\udfff" not in response.text.lower()
    for problem in response.json()["detail"]:
        assert set(problem) == {"loc", "msg", "type"}


def test_validation_errors_never_echo_the_input(http: httpx.Client) -> None:
    response = http.post(
        "/v1/differential",
        json={"present": ["leg-weakness"], "onset": "patient-secret-0042", "x": "other-0042"},
    )
    assert response.status_code == 422
    assert "0042" not in response.text


@pytest.mark.parametrize("age", [True, "70", 70.5, "seventy"])
def test_age_is_a_strict_integer(http: httpx.Client, age: object) -> None:
    response = http.post("/v1/differential", json={"present": ["leg-weakness"], "age": age})
    assert response.status_code == 422
    assert [problem["loc"] for problem in response.json()["detail"]] == [["age"]]
    assert http.post("/v1/differential", json={"present": ["leg-weakness"], "age": 70}).status_code == 200
