"""The linear-time pre-check of /v1/cypher (issue 17, items 1 and 12): what it refuses, what it lets
through, and why it cannot be slow."""

from __future__ import annotations

import re

import pytest

from clinkg.service.stores import cypher_guard
from clinkg.service.stores.cypher_guard import MAX_QUERY_CHARS, refusal, scan

LINE_ENDS = ["\n", "\r", "\r\n"]
UNSURE = ["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c", "\u00a0", "\u3000"]


@pytest.mark.parametrize("end", LINE_ENDS, ids=repr)
def test_a_line_comment_ends_at_every_line_terminator(end: str) -> None:
    """Neo4j ends `//` at \\r as at \\n: what follows is code, and here a procedure call."""
    reason = refusal(f"//{end}CALL dbms.listConfig() YIELD name RETURN name")
    assert reason is not None and "CALL" in reason


@pytest.mark.parametrize("char", UNSURE, ids=repr)
def test_a_space_or_line_end_neo4j_s_lexers_disagree_on_is_refused_by_its_code_point(char: str) -> None:
    """Neo4j's front end reads U+0085 as part of a word and runs a comment past U+2028: a query with any
    such character is refused wherever it stands, and the reason names the code point, not the query."""
    for query in (f"//{char}CALL dbms.listConfig() YIELD name RETURN name", f"MATCH (n){char}RETURN n"):
        reason = refusal(query)
        assert reason is not None and f"U+{ord(char):04X}" in reason and "MATCH" not in reason


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("SHOW DATABASES", "SHOW"),
        ("SHOW USERS YIELD user RETURN user", "SHOW"),
        ("MATCH (n) WITH n SHOW TRANSACTIONS", "SHOW"),
        ("USE system SHOW DATABASES", "USE"),
        ("USE system MATCH (n) RETURN n", "USE"),
        ("INSERT (n:Intruder)", "INSERT"),
        ("MATCH (n) INSERT (m:Intruder)", "INSERT"),
        ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TERMINATE"),
        ("START DATABASE neo4j", "START"),
        ("STOP DATABASE neo4j", "STOP"),
        ("ENABLE SERVER 'x'", "ENABLE"),
        ("CREATE USER mallory SET PASSWORD 'secret'", "CREATE"),
        ("ALTER USER neo4j SET PASSWORD 'x'", "ALTER"),
        ("GRANT ROLE admin TO mallory", "GRANT"),
        ("DENY READ {*} ON GRAPH * TO reader", "DENY"),
        ("REVOKE ROLE admin FROM neo4j", "REVOKE"),
        ("RENAME ROLE a TO b", "RENAME"),
        ("DROP DATABASE neo4j", "DROP"),
        ("DRYRUN REALLOCATE DATABASES", "DRYRUN"),
        ("DEALLOCATE DATABASES FROM SERVER 'x'", "DEALLOCATE"),
        ("CYPHER 5 CREATE (n)", "CREATE"),
        ("EXPLAIN MATCH (n) SET n.x = 1", "SET"),
        ("MATCH (n) CALL { CREATE (m) } RETURN n", "CREATE"),
        ("MATCH (n) CALL (n) { SET n.x = 1 } RETURN n", "SET"),
        ("MATCH (n) WHERE COUNT { CREATE (m) } > 0 RETURN n", "CREATE"),
        ("RETURN s'{COLLECT { CREATE (m) RETURN 1 }}' AS x", "CREATE"),
        ("RETURN '\\\\' CREATE (n)", "CREATE"),
        ("RETURN 'it\\'s' CREATE (n)", "CREATE"),
        ('RETURN "say \\"hi\\"" CREATE (n)', "CREATE"),
        ("RETURN `a``b` AS x CREATE (n)", "CREATE"),
        ("MATCH (n)/**/SET n.x = 1", "SET"),
        ("MATCH (n) /* a */ DETACH /* b */ DELETE n", "DETACH"),
        ("MATCH (n) NODETACH DELETE n", "DELETE"),
        ("WITH * SET n.x = 1", "SET"),
        ("UNWIND [1] AS x WITH x AS and SET n.a = 1", "SET"),
        ("MATCH (n) WITH n AS as SET n.a = 1", "SET"),
        ("MATCH (n) WITH not SET n.x = 1", "SET"),
        ("MATCH (return) WITH return SET return.x = 1", "SET"),
        ("RETURN 1 UNION ALL CREATE (n) RETURN 1", "CREATE"),
        ("MATCH (n) MERGE (m {id: n.id}) ON CREATE SET m.x = 1", "MERGE"),
        ("MATCH (n) FOREACH (x IN [1] | CREATE (m))", "FOREACH"),
        ("load csv from 'file:///etc/passwd' as l return l", "LOAD CSV"),
        ("MATCH (n) REMOVE n.x", "REMOVE"),
        ("MATCH (n)\r\nSET n.x = 1", "SET"),
    ],
)
def test_writes_and_commands_are_refused_naming_the_keyword(query: str, word: str) -> None:
    reason = refusal(query)
    assert reason is not None and f"'{word}'" in reason


@pytest.mark.parametrize(
    "query",
    [
        "CALL dbms.listConfig() YIELD name RETURN name",
        "CALL dbms.listConfig",
        "CALL `dbms`.`listConfig`()",
        "OPTIONAL CALL apoc.load.json('http://example.org') YIELD value RETURN value",
        "MATCH (n) CALL db.create.setNodeVectorProperty(n, 'x', [1.0])",
        "CALL db.labels.x()",
        "call DB . /* gap */ createLabel('X')",
    ],
)
def test_procedure_calls_are_refused_without_quoting_them(query: str) -> None:
    reason = refusal(query)
    assert reason is not None and "CALL" in reason
    assert not re.search(r"listConfig|apoc|createLabel|setNode|labels\.x", reason, re.I)


@pytest.mark.parametrize(
    "query",
    [
        # identifiers named start, set, finish: property keys, map keys, variables, aliases, labels
        "MATCH (n) WHERE n.start = 1 AND n.set = 2 RETURN n.finish",
        "MATCH (n {set: 1, start: 2, finish: 3}) RETURN n",
        "MATCH (n) RETURN n {.set, .start, .finish}, {set: 1, start: 2, finish: 3} AS m",
        "MATCH (set) RETURN set",
        "MATCH (set:Cause) RETURN set LIMIT 5",
        "MATCH (start)-[set]->(finish) RETURN start, set, finish",
        "MATCH (n) WITH n AS set RETURN set",
        "MATCH (n) WITH n.set AS set, n.finish AS finish RETURN set, finish LIMIT 3",
        "UNWIND [1, 2] AS start RETURN start ORDER BY start",
        "MATCH (set) RETURN set ORDER BY set.id DESC",
        "MATCH (n:Set:Start:Finish) RETURN count(n) AS set",
        "MATCH (n) RETURN n.set AS start ORDER BY start SKIP 1 LIMIT 2",
        "RETURN $set, $start, $finish",
        "MATCH (n) WHERE n.x IN [1] AND NOT n.y STARTS WITH 'a' RETURN n",
        # read-only subqueries and the FINISH clause
        "MATCH (n) CALL { MATCH (m) RETURN m } RETURN n, m",
        "MATCH (n) CALL { WITH n MATCH (n)-->(m) RETURN m } RETURN m",
        "MATCH (n) CALL (n) { MATCH (n)-->(m) RETURN m } RETURN m",
        "CALL () { MATCH (m) RETURN count(m) AS c } RETURN c",
        "MATCH (n) WHERE EXISTS { MATCH (n)-->() } RETURN n",
        "MATCH (n) FINISH",
        "CALL db.labels() YIELD label RETURN label",
        # keywords inside strings, comments and quoted names, with every kind of line end
        "MATCH (n) WHERE n.s = 'CREATE (m) SET x' RETURN n // DELETE n\n",
        'MATCH (n) WHERE n.s = "it\'s SET" RETURN n /* MERGE\r\n CALL dbms.x() */',
        "MATCH (n) RETURN n.`SET`, n.`CALL dbms.listConfig()` AS `DETACH DELETE n`",
        "RETURN 'a\\'CREATE' AS x",
        "RETURN s'{1 + 1} SET' AS x",
        "MATCH (n)\r\nRETURN n\r// SET n.x = 1",
    ],
)
def test_read_only_queries_pass(query: str) -> None:
    assert refusal(query) is None


def test_the_query_size_is_bounded() -> None:
    assert refusal("RETURN 1 " + " " * MAX_QUERY_CHARS) is not None


ADVERSARIAL = {
    "quote-backslash": "'\\" * 50_000,  # the red team's input: 19.5 s under the old regex
    "double-quote-backslash": '"\\' * 50_000,
    "open-comments": "/*" * 50_000,
    "backticks": "`a``" * 25_000,
    "brackets": "(" * 100_000,
    "interpolations": "s'{" * 33_000,
    "words": "WITH x AS y " * 8_000,
}


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
@pytest.mark.parametrize("size", [100_000, 1_000_000])
def test_the_scan_reads_each_character_once(text: str, size: int) -> None:
    """Linear by construction: the tokens come in order, never overlap, and there are fewer of them than
    characters; each is one match of a pattern whose quantifiers are all possessive (no backtracking), so
    the scan's cost is the query's length. (Timings: bench figures in the report, never asserted here.)"""
    query = (text * (size // len(text) + 1))[:size]
    tokens = list(scan(query))
    assert tokens[-1].kind == "end" and len(tokens) <= len(query) + 1
    assert all(a.end <= b.start for a, b in zip(tokens, tokens[1:], strict=False))


def test_every_quantifier_of_the_scan_is_possessive() -> None:
    """What makes each match linear: no `*`, `+` or `?` in the patterns can give characters back."""
    patterns = [cypher_guard._CODE.pattern, *(p.pattern for p in cypher_guard._TEXT.values())]
    for pattern in patterns:
        plain = re.sub(r"\\.|\[(?:\\.|[^\]])*\]|\(\?[P<>=!:]*(?:<\w+>)?", "x", pattern)  # escapes, classes
        runs = [run.group() for run in re.finditer(r"[*+?]+", plain)]
        assert runs and all(run in ("*+", "++", "?+") for run in runs), f"{runs} in {pattern!r}"


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_adversarial_queries_get_an_answer(text: str) -> None:
    query = (text * (MAX_QUERY_CHARS // len(text) + 1))[:MAX_QUERY_CHARS]
    assert refusal(query) is None or "not allowed" in str(refusal(query))
