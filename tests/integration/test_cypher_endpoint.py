"""POST /v1/cypher: 503 on the embedded store; read-only answers on a Cypher backend (FalkorDB here)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from clinkg.service.api.app import create_app
from clinkg.service.settings import Settings
from clinkg.service.stores.cypher import falkordb_backend

pytestmark = pytest.mark.integration


def test_cypher_on_the_embedded_store_is_503_saying_why(http: httpx.Client) -> None:
    response = http.post("/v1/cypher", json={"query": "MATCH (n) RETURN n LIMIT 1"})
    assert response.status_code == 503
    assert "Neo4j backend" in response.json()["detail"]


@pytest.fixture(scope="module")
def cypher_client(falkordb_graph: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(
        Settings(build_dir=tmp_path_factory.mktemp("unused"), cypher_row_limit=5),
        backend=falkordb_backend(falkordb_graph),
    )
    with TestClient(app) as client:
        yield client


def test_a_read_query_answers_columns_and_rows(cypher_client: TestClient) -> None:
    body = cypher_client.post(
        "/v1/cypher",
        json={
            "query": "MATCH (c:Cause {id: $id}) RETURN c.id AS id, c.label AS label",
            "parameters": {"id": "stroke"},
        },
    ).json()
    assert body == {"columns": ["id", "label"], "rows": [["stroke", "Stroke"]], "truncated": False}


def test_the_row_limit_truncates(cypher_client: TestClient) -> None:
    body = cypher_client.post("/v1/cypher", json={"query": "MATCH (c:Cause) RETURN c.id"}).json()
    assert len(body["rows"]) == 5 and body["truncated"] is True


def test_nodes_come_back_as_labels_and_properties(cypher_client: TestClient) -> None:
    body = cypher_client.post("/v1/cypher", json={"query": "MATCH (c:Cause {id: 'stroke'}) RETURN c"}).json()
    (node,) = body["rows"][0]
    assert "Cause" in node["labels"] and node["properties"]["id"] == "stroke"


@pytest.mark.parametrize(
    "query",
    ["CREATE (n:Cause {id: 'x'})", "MATCH (n:Cause) SET n.label = 'x'", "CALL dbms.listConfig()"],
)
def test_writes_are_refused_and_change_nothing(cypher_client: TestClient, query: str) -> None:
    count = "MATCH (n:Entity) RETURN count(n)"
    before = cypher_client.post("/v1/cypher", json={"query": count}).json()["rows"]
    response = cypher_client.post("/v1/cypher", json={"query": query})
    assert response.status_code == 403
    assert cypher_client.post("/v1/cypher", json={"query": count}).json()["rows"] == before


def test_a_syntax_error_is_400_with_the_message(cypher_client: TestClient) -> None:
    response = cypher_client.post("/v1/cypher", json={"query": "MATCH (n RETURN n"})
    assert response.status_code == 400
    assert "refused" in response.json()["detail"]
