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


# Issue 17, item 12: the red team's bypasses, each answered 403 with a reason that does not quote it.
BYPASSES = [
    "//\rCALL dbms.listConfig() YIELD name RETURN name",
    "//\u2028CALL dbms.listConfig() YIELD name RETURN name",
    "SHOW DATABASES",
    "USE system MATCH (n) RETURN n",
    "INSERT (n:Cause {id: 'intruder'})",
    "MATCH (not) WITH not SET not.label = 'x'",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "CALL db.idx.fulltext.queryNodes('Cause', 'stroke') YIELD node RETURN node",
]


@pytest.mark.parametrize("query", BYPASSES)
def test_each_bypass_is_refused_without_quoting_it(cypher_client: TestClient, query: str) -> None:
    response = cypher_client.post("/v1/cypher", json={"query": query})
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "not allowed" in detail
    for quoted in ("listConfig", "system", "intruder", "passwd", "fulltext", "transaction-1", "not.label"):
        assert quoted not in detail


READS = [
    "MATCH (set:Cause) WITH set AS start RETURN start.id ORDER BY start.id LIMIT 2",
    "MATCH (n:Cause) WHERE n.start IS NULL AND n.set IS NULL RETURN n.finish LIMIT 1",
    "MATCH (n:Cause) WITH n AS finish RETURN finish {.id, .set} LIMIT 1",
    "MATCH (n:Cause {id: 'stroke'}) CALL { WITH n MATCH (n)-->(m) RETURN count(m) AS c } RETURN n.id, c",
    "MATCH (n:Cause {id: 'stroke'}) RETURN n.id // SET n.x = 1\r",
]


@pytest.mark.parametrize("query", READS)
def test_read_only_queries_the_old_guard_refused_are_answered(cypher_client: TestClient, query: str) -> None:
    response = cypher_client.post("/v1/cypher", json={"query": query})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "query",
    ["'\\" * 50_000, '"\\' * 50_000, "(" * 100_000, "/*" * 50_000],
    ids=["quotes-and-backslashes", "double-quotes-and-backslashes", "brackets", "open-comments"],
)
def test_a_100_kb_adversarial_query_is_answered_4xx(cypher_client: TestClient, query: str) -> None:
    """The red team's input (19.5 s in the old guard's regex, holding the interpreter) is answered."""
    response = cypher_client.post("/v1/cypher", json={"query": query})
    assert 400 <= response.status_code < 500
    assert len(response.text) < 2_000  # the database's message, cut: the query does not come back whole


def test_the_query_size_is_bounded(cypher_client: TestClient) -> None:
    assert cypher_client.post("/v1/cypher", json={"query": "RETURN 1" + " " * 100_000}).status_code == 422
    assert cypher_client.post("/v1/cypher", json={"query": "'\\" * 500_000}).status_code == 413


@pytest.mark.parametrize(
    ("parameters", "status"),
    [
        ({"a`b": 1}, 422),
        ({"": 1}, 422),
        ({"x": 2**70}, 422),
        ({"x": {"a`": 1}}, 400),
        ({"x": [{"": 1}]}, 400),
    ],
)
def test_parameters_the_database_cannot_take_are_a_client_error(
    cypher_client: TestClient, parameters: dict[str, Any], status: int
) -> None:
    response = cypher_client.post("/v1/cypher", json={"query": "RETURN $x AS x", "parameters": parameters})
    assert response.status_code == status
    assert "Error" not in response.text and "Traceback" not in response.text


def test_a_fault_of_ours_is_a_500_that_does_not_echo_it(falkordb_graph: Any, tmp_path: Any) -> None:
    backend = falkordb_backend(falkordb_graph)

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("internal detail at 0xdeadbeef")

    backend.run_user = broken
    with TestClient(create_app(Settings(build_dir=tmp_path), backend=backend)) as client:
        response = client.post("/v1/cypher", json={"query": "MATCH (n) RETURN n LIMIT 1"})
    assert response.status_code == 500 and "0xdeadbeef" not in response.text
