"""The decisions the databases feed (issue 17, items 12 and 14): Neo4j's plan under EXPLAIN says whether a
query only reads; FalkorDB's query is bounded to the row limit before it runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from clinkg.service.stores.base import WriteRefusedError
from clinkg.service.stores.cypher import read_checked
from clinkg.service.stores.cypher_guard import bounded, plan_refusal


@pytest.mark.parametrize(
    ("query_type", "refused"),
    [("r", False), ("rw", True), ("w", True), ("s", True), (None, True), ("x", True)],
)
def test_only_a_read_only_plan_passes(query_type: str | None, refused: bool) -> None:
    reason = plan_refusal(query_type)
    assert (reason is not None) is refused
    if reason:
        assert "read-only" in reason


@dataclass
class FakeResult:
    """What the Neo4j driver's Result gives read_checked: records, keys and a summary."""

    rows: list[list[Any]]
    query_type: str = "r"
    pulled: int = 0

    def __iter__(self) -> Iterator[FakeRecord]:
        for row in self.rows:
            self.pulled += 1
            yield FakeRecord(row)

    def keys(self) -> list[str]:
        return ["x"]

    def consume(self) -> FakeResult:
        return self


@dataclass
class FakeRecord:
    row: list[Any]

    def values(self) -> list[Any]:
        return self.row


@dataclass
class FakeTransaction:
    """A READ transaction that plans as `query_type` and answers `rows`; it records what was run."""

    query_type: str
    rows: list[list[Any]]
    ran: list[str] = field(default_factory=list)
    result: FakeResult | None = None

    def run(self, text: str, parameters: dict[str, Any]) -> FakeResult:
        self.ran.append(text)
        if text.startswith("EXPLAIN "):
            return FakeResult([], self.query_type)
        self.result = FakeResult(self.rows)
        return self.result


@pytest.mark.parametrize("query_type", ["rw", "w", "s"])
def test_a_query_the_planner_says_writes_is_refused_before_it_runs(query_type: str) -> None:
    tx = FakeTransaction(query_type, [[1]])
    with pytest.raises(WriteRefusedError, match="read-only"):
        read_checked(tx, "MATCH (n) SET n.x = 1", {}, 5)
    assert tx.ran == ["EXPLAIN MATCH (n) SET n.x = 1"]


def test_a_read_only_plan_runs_and_stops_after_the_limit() -> None:
    tx = FakeTransaction("r", [[i] for i in range(100)])
    columns, rows, truncated = read_checked(tx, "UNWIND range(1, 100) AS x RETURN x", {}, 5)
    assert tx.ran == ["EXPLAIN UNWIND range(1, 100) AS x RETURN x", "UNWIND range(1, 100) AS x RETURN x"]
    assert (columns, rows, truncated) == (["x"], [[0], [1], [2], [3], [4]], True)
    assert tx.result is not None and tx.result.pulled == 6  # one record past the limit, no more


def test_a_result_within_the_limit_is_whole() -> None:
    assert read_checked(FakeTransaction("r", [[1], [2]]), "RETURN 1", {}, 5) == (["x"], [[1], [2]], False)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("MATCH (n) RETURN n", "MATCH (n) RETURN n\nLIMIT 6"),
        ("MATCH (n) RETURN n // a comment", "MATCH (n) RETURN n // a comment\nLIMIT 6"),
        ("MATCH (n) RETURN n ORDER BY n.id;", "MATCH (n) RETURN n ORDER BY n.id\nLIMIT 6"),
        ("MATCH (n) RETURN n SKIP 2", "MATCH (n) RETURN n SKIP 2\nLIMIT 6"),
        ("MATCH (n) RETURN n LIMIT 3", "MATCH (n) RETURN n LIMIT 3"),
        ("MATCH (n) RETURN n LIMIT 3000000", "MATCH (n) RETURN n LIMIT 6"),
        ("MATCH (n) RETURN n limit 1_000 ; ", "MATCH (n) RETURN n limit 6 "),
        ("MATCH (n) RETURN n LIMIT $many", "MATCH (n) RETURN n LIMIT 6"),
        ("MATCH (n) RETURN n LIMIT $few", "MATCH (n) RETURN n LIMIT 2"),
        (
            "MATCH (n) CALL { MATCH (m) RETURN m LIMIT 100 } RETURN n, m",
            "MATCH (n) CALL { MATCH (m) RETURN m LIMIT 100 } RETURN n, m\nLIMIT 6",
        ),
        (
            "RETURN 1 AS x UNION RETURN 2 AS x",
            "CALL {\nRETURN 1 AS x UNION RETURN 2 AS x\n}\nRETURN *\nLIMIT 6",
        ),
        ("MATCH (n) RETURN n.`LIMIT 3`", "MATCH (n) RETURN n.`LIMIT 3`\nLIMIT 6"),
    ],
)
def test_a_falkordb_query_is_bounded_to_the_limit_plus_one(query: str, expected: str) -> None:
    assert bounded(query, 6, {"many": 10**9, "few": 2}) == expected


@pytest.mark.parametrize(
    "query", ["RETURN 'open", "RETURN 1 /* open", "RETURN `open", "RETURN (1", "RETURN 1)", "RETURN s'{1", ""]
)
def test_a_query_left_open_is_not_bounded(query: str) -> None:
    assert bounded(query, 6, {}) is None
