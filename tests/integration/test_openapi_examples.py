"""Every operation of the OpenAPI document carries request examples (each parameter, each body), and each
example, sent as Swagger's "Try it out" sends it, is answered 2xx by the live service, or by the status an
operation documents as its designed answer (503 for /v1/cypher on the embedded store).

The bearer scheme is declared; with CLINKG_API_TOKEN set, exactly the operations the middleware guards
require it, and their examples pass with the token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from pydantic import SecretStr

from clinkg.service.api.app import create_app
from clinkg.service.settings import Settings

from .conftest import live_server
from .sparql_helpers import ready, until

pytestmark = pytest.mark.integration

# Designed answers that are not errors: Cypher needs the Neo4j backend (the 503 says so).
DESIGNED = {"POST /v1/cypher": {503}}
TOKEN = "example-token-0123456789"  # noqa: S105 - a test token


def _labels() -> list[str]:
    spec = create_app(Settings()).openapi()
    return sorted(f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops)


OPERATIONS = _labels()


@dataclass
class Example:
    """One request built from the document's examples."""

    label: str
    path: str
    params: list[tuple[str, str]] = field(default_factory=list)
    media_type: str | None = None
    body: Any = None

    def send(self, client: httpx.Client, headers: dict[str, str] | None = None) -> httpx.Response:
        method = self.label.split()[0]
        extra = dict(headers or {})
        if self.media_type is None:
            return client.request(method, self.path, params=self.params, headers=extra)
        extra["content-type"] = self.media_type
        if self.media_type == "application/json":
            return client.request(method, self.path, params=self.params, json=self.body, headers=extra)
        if self.media_type == "application/x-www-form-urlencoded":
            return client.request(method, self.path, params=self.params, data=self.body, headers=extra)
        return client.request(method, self.path, params=self.params, content=str(self.body), headers=extra)


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _values(spec: dict[str, Any], holder: dict[str, Any]) -> list[Any]:
    """The example values of a parameter or a media type: its own, else its schema's."""
    if "examples" in holder:
        return [example["value"] for example in holder["examples"].values()]
    if "example" in holder:
        return [holder["example"]]
    schema = _resolve(spec, holder.get("schema", {}))
    if "examples" in schema:
        return list(schema["examples"])
    return [schema["example"]] if "example" in schema else []


def _query(name: str, value: Any) -> list[tuple[str, str]]:
    values = value if isinstance(value, list) else [value]
    return [(name, str(v).lower() if isinstance(v, bool) else str(v)) for v in values]


def examples(spec: dict[str, Any], label: str) -> list[Example]:
    """Every request the operation's examples make: the first example of each parameter, then one request
    per further parameter example and per body example. Fails naming what has no example."""
    method, path = label.split(" ", 1)
    operation = spec["paths"][path][method.lower()]
    parameters = operation.get("parameters", [])
    missing = [f"parameter {p['name']}" for p in parameters if not _values(spec, p)]
    bodies = [
        (media, value)
        for media, content in operation.get("requestBody", {}).get("content", {}).items()
        for value in _values(spec, content)
    ]
    if "requestBody" in operation:
        media_types = operation["requestBody"]["content"]
        missing += [f"body {media}" for media, content in media_types.items() if not _values(spec, content)]
    assert not missing, f"{label}: no example for {', '.join(missing)}"

    def build(chosen: dict[str, Any], media: str | None = None, body: Any = None) -> Example:
        url, params = path, []
        for parameter in parameters:
            value = chosen[parameter["name"]]
            if parameter["in"] == "path":
                url = url.replace("{" + parameter["name"] + "}", quote(str(value), safe=""))
            else:
                params += _query(parameter["name"], value)
        return Example(label, url, params, media, body)

    first = {p["name"]: _values(spec, p)[0] for p in parameters}
    made = [build(first, media, body) for media, body in bodies] or [build(first)]
    for parameter in parameters:
        for value in _values(spec, parameter)[1:]:
            made.append(build({**first, parameter["name"]: value}, *(bodies[0] if bodies else (None, None))))
    return made


@pytest.fixture(scope="module")
def spec(http: httpx.Client, base_url: str) -> dict[str, Any]:
    until(lambda: ready(base_url), "the service ready")
    document: dict[str, Any] = http.get("/openapi.json").json()
    return document


def test_the_document_lists_the_operations_tested(spec: dict[str, Any]) -> None:
    live = sorted(f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops)
    assert live == OPERATIONS
    assert "POST /v1/differential" in live and "GET /sparql" in live


@pytest.mark.parametrize("label", OPERATIONS)
def test_every_example_is_answered(spec: dict[str, Any], http: httpx.Client, label: str) -> None:
    for example in examples(spec, label):
        response = example.send(http)
        allowed = DESIGNED.get(label, set())
        assert response.is_success or response.status_code in allowed, (
            f"{label} {example.params} {example.body!r}: {response.status_code} {response.text[:300]}"
        )


def test_the_differential_examples_are_not_swaggers_placeholders(spec: dict[str, Any]) -> None:
    # The bug this file exists for: Swagger's generated sample sent ["string"] and got 422.
    bodies = [e.body for e in examples(spec, "POST /v1/differential")]
    assert len(bodies) >= 3
    assert all("string" not in str(body) for body in bodies)


def test_the_bearer_scheme_is_declared_and_required_where_the_token_is(build_dir: Path) -> None:
    settings = Settings(build_dir=build_dir, api_token=SecretStr(TOKEN))
    with live_server(settings) as url, httpx.Client(base_url=url, timeout=30) as client:
        bearer = {"authorization": f"Bearer {TOKEN}"}
        assert client.get("/openapi.json").status_code == 401
        document = client.get("/openapi.json", headers=bearer).json()
        scheme = document["components"]["securitySchemes"]["bearer"]
        assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
        until(lambda: client.get("/ready", headers=bearer).status_code == 200, "the service ready")
        for label in OPERATIONS:
            method, path = label.split(" ", 1)
            declared = document["paths"][path][method.lower()].get("security")
            example = examples(document, label)[0]
            without = example.send(client)
            # Declared exactly where the middleware asks for the token.
            if declared is None:
                assert without.status_code != 401, label
                continue
            assert declared == [{"bearer": []}], label
            assert without.status_code == 401, f"{label} answered {without.status_code} without the token"
            with_token = example.send(client, bearer)
            assert with_token.is_success or with_token.status_code in DESIGNED.get(label, set()), (
                f"{label} with the token: {with_token.status_code} {with_token.text[:300]}"
            )


def test_without_a_token_no_operation_requires_one(spec: dict[str, Any]) -> None:
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    required = [
        f"{method.upper()} {path}"
        for path, ops in spec["paths"].items()
        for method, operation in ops.items()
        if operation.get("security")
    ]
    assert required == []
