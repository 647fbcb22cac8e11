"""The differential's hot path answers successes itself and hands everything else, body included, to
the declared route, behind the same middleware as every route."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clinkg.service.api import hot_path
from clinkg.service.api.app import create_app
from clinkg.service.api.connection import answer_bytes
from clinkg.service.api.models import DifferentialRequest
from clinkg.service.settings import Settings
from clinkg.service.stores.base import Backend, BackendUnavailableError

pytestmark = pytest.mark.integration


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every body the hot path hands on to the route, in order."""
    handed: list[bytes] = []
    original = hot_path.replay

    def recording(body: bytes, receive: hot_path.Receive) -> hot_path.Receive:
        handed.append(body)
        return original(body, receive)

    monkeypatch.setattr(hot_path, "replay", recording)
    return handed


@pytest.fixture
def client(build_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(build_dir=build_dir, api_token="s3cret"))) as c:  # noqa: S106
        c.headers["Authorization"] = "Bearer s3cret"
        yield c


def test_a_good_request_is_answered_without_the_route(client: TestClient, routed: list[bytes]) -> None:
    body = {"present": ["leg-weakness", "saddle-anesthesia"], "onset": "sudden"}
    response = client.post("/v1/differential", json=body, headers={"X-Request-ID": "abc"})
    assert response.status_code == 200 and routed == []
    served = client.app.state.connection.served  # type: ignore[attr-defined]
    assert response.content == answer_bytes(DifferentialRequest.model_validate(body), served)
    assert response.headers["content-type"] == "application/json"
    # The service's middleware wraps it as every route: request id, security headers, data CSP.
    assert response.headers["x-request-id"] == "abc"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"present": []}', 422),
        (b'{"present": ["no-such-finding"]}', 422),
        (b"not json", 422),
        (b'{"present": ["leg-weakness"], "text": "' + b"x" * 20_001 + b'"}', 413),
    ],
)
def test_everything_else_goes_to_the_route_with_its_body(
    client: TestClient, routed: list[bytes], body: bytes, status: int
) -> None:
    response = client.post("/v1/differential", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert routed == [body]
    assert "detail" in response.json()


def test_the_token_is_checked_before_the_hot_path(client: TestClient, routed: list[bytes]) -> None:
    response = client.post(
        "/v1/differential", json={"present": ["leg-weakness"]}, headers={"Authorization": "Bearer wrong"}
    )
    assert response.status_code == 401 and routed == []


def test_other_methods_and_paths_never_take_it(client: TestClient, routed: list[bytes]) -> None:
    assert client.get("/v1/differential").status_code == 405
    slash = client.post("/v1/differential/", json={"present": ["leg-weakness"]}, follow_redirects=False)
    assert slash.status_code == 307
    assert routed == []


def test_a_store_that_is_down_is_the_routes_to_report(build_dir: Path, routed: list[bytes]) -> None:
    def unavailable() -> Backend:
        raise BackendUnavailableError("the store is away")

    with TestClient(create_app(Settings(build_dir=build_dir), backend_factory=unavailable)) as client:
        response = client.post("/v1/differential", json={"present": ["leg-weakness"]})
    assert response.status_code == 503 and len(routed) == 1


def test_with_telemetry_on_the_hot_path_is_not_installed(build_dir: Path) -> None:
    """FastAPI traces routes: with CLINKG_OTEL set, the hot path is not installed."""
    app = create_app(Settings(build_dir=build_dir, otel=True))
    assert hot_path.DifferentialHotPath not in [m.cls for m in app.user_middleware]
    assert hot_path.DifferentialHotPath in [
        m.cls for m in create_app(Settings(build_dir=build_dir)).user_middleware
    ]
