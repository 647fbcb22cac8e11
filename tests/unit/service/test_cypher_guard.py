"""The static read-only guard of /v1/cypher (the read transaction is the second layer)."""

from __future__ import annotations

import pytest

from clinkg.service.stores.cypher_guard import refusal


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (n) RETURN n LIMIT 5",
        "MATCH (c:Cause)-[r:PRESENTS_WITH]->(f) WHERE r.statement CONTAINS 'create' RETURN c.id",
        "MATCH (n {label: 'SET DELETE MERGE'}) RETURN n // CREATE in a comment",
        "CALL db.labels() YIELD label RETURN label",
        "MATCH (n) WHERE n.`create` IS NULL RETURN count(n)",
    ],
)
def test_reads_pass(query: str) -> None:
    assert refusal(query) is None


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("CREATE (n:Cause {id: 'x'})", "CREATE"),
        ("MATCH (n) DETACH DELETE n", "DETACH"),
        ("MATCH (n:Cause) SET n.label = 'x'", "SET"),
        ("merge (n:Cause {id: 'x'})", "MERGE"),
        ("MATCH (n) REMOVE n:Cause", "REMOVE"),
        ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "LOAD CSV"),
        ("MATCH (n) FOREACH (x IN [1] | SET n.a = x)", "FOREACH"),
        ("DROP CONSTRAINT clinkg_entity_id", "DROP"),
    ],
)
def test_writes_are_refused(query: str, word: str) -> None:
    reason = refusal(query)
    assert reason is not None and f"'{word}'" in reason


@pytest.mark.parametrize(
    "query",
    [
        "CALL apoc.load.json('http://example.org') YIELD value RETURN value",
        "CALL dbms.listConfig()",
        "CALL db.createLabel('X')",
    ],
)
def test_procedure_calls_are_refused(query: str) -> None:
    reason = refusal(query)
    assert reason is not None and "CALL" in reason


def test_a_read_only_call_subquery_is_not_a_procedure_call() -> None:
    # Issue 17, item 12: CALL { ... } runs a subquery, which the database judges like any other read.
    assert refusal("MATCH (n) CALL { WITH n RETURN n.id AS id } RETURN id") is None
