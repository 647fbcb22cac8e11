"""The Cypher guard against Neo4j's own front end (issue 17, item 12): whenever the front end reads a query
as a write clause, a procedure call or an administration command, and accepts it, the guard refuses it.

The front end is @neo4j-cypher/language-support (tests/tools, installed by `.ci/run`): its parse tree
names the clauses, and its linter (Neo4j's semantic analysis) says whether the query would be accepted.
Linting takes ~0.1 s, so it is asked only where the guard and the parse tree disagree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from clinkg.service.stores.cypher_guard import KEYWORDS, refusal

pytestmark = pytest.mark.integration

TOOLS = Path(__file__).resolve().parents[1] / "tools"
GRAMMAR = TOOLS / "node_modules" / "@neo4j-cypher" / "language-support" / "src" / "antlr-grammar"
# Parser rules that write, call a procedure, or run a command (SHOW, TERMINATE, USE, CREATE USER, ...).
FORBIDDEN_RULES = frozenset(
    {"createClause", "insertClause", "mergeClause", "deleteClause", "setClause", "removeClause",
     "foreachClause", "loadCSVClause", "callClause", "useClause", "command", "composableCommandClauses"}
)  # fmt: skip


class FrontEnd:
    """A running `node tests/tools/cypher_clauses.mjs`, asked one query at a time."""

    def __init__(self, node: str) -> None:
        self.process = subprocess.Popen(
            [node, str(TOOLS / "cypher_clauses.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def ask(self, query: str, lint: bool) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        # ensure_ascii: line separators and control characters travel escaped, never as line breaks
        self.process.stdin.write(json.dumps({"query": query, "lint": lint}, ensure_ascii=True) + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        assert "failure" not in answer, answer
        return answer

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def front_end() -> Iterator[FrontEnd]:
    node = shutil.which("node")
    missing = []
    if node is None:
        missing.append("`node` is not on PATH")
    if not GRAMMAR.is_dir():
        missing.append("tests/tools/node_modules is not installed (npm ci --prefix tests/tools)")
    if missing or node is None:
        reason = "Neo4j's Cypher front end cannot run: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    running = FrontEnd(node)
    yield running
    running.close()


def check(front_end: FrontEnd, query: str) -> str:
    """The property: a query the front end accepts, with a forbidden clause in it, is refused. Returns
    what happened, for the statistics."""
    rules = FORBIDDEN_RULES & set(front_end.ask(query, lint=False)["rules"])
    if refusal(query) is not None:
        return "refused" if rules else "refused; no forbidden clause in the parse tree"
    if not rules:
        return "let through; read only"
    errors = front_end.ask(query, lint=True)["errors"]
    assert errors, f"the guard lets through {query!r}, which Neo4j reads as {sorted(rules)}"
    return "let through; the front end rejects it"


# The red team's bypasses, and writes hidden by comments, strings and names: each is accepted by Neo4j's
# front end with the forbidden clause in it (so the corpus is not vacuous), and refused by the guard.
BYPASSES = [
    "//\rCALL dbms.listConfig() YIELD name RETURN name",
    "SHOW DATABASES",
    "USE system MATCH (n) RETURN n",
    "INSERT (n:Intruder)",
    "MATCH (not) WITH not SET not.x = 1",
    "MATCH (return) WITH return SET return.x = 1",
    "MATCH (as) WITH as SET as.x = 1",
    "MATCH (x) WITH x AS and SET and.a = 1",
    "MATCH (n) CALL { CREATE (m) } RETURN n",
    "WITH '\\\\' AS x CREATE (n)",
    "WITH 'it\\'s' AS x CREATE (n)",
    "WITH 1 AS `a``b` CREATE (n)",
    "MATCH (n)/**/DETACH DELETE n",
    "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
]


@pytest.mark.parametrize("query", BYPASSES)
def test_each_bypass_is_a_real_write_that_the_guard_refuses(front_end: FrontEnd, query: str) -> None:
    answer = front_end.ask(query, lint=True)
    assert FORBIDDEN_RULES & set(answer["rules"]) and not answer["errors"], answer
    assert refusal(query) is not None


READS = [
    "MATCH (n) WHERE n.start = 1 AND n.set = 2 RETURN n.finish",
    "MATCH (set) WITH set AS start RETURN start ORDER BY start LIMIT 5",
    "MATCH (n) WITH n AS finish RETURN finish {.set, .start}",
    "MATCH (n) CALL { MATCH (m) RETURN m } RETURN n, m",
    "MATCH (n) CALL (n) { MATCH (n)-->(m) RETURN m } RETURN m",
    "MATCH (n) FINISH",
]


@pytest.mark.parametrize("query", READS)
def test_read_only_queries_of_the_issue_are_reads_to_neo4j_and_pass(front_end: FrontEnd, query: str) -> None:
    answer = front_end.ask(query, lint=True)
    assert not FORBIDDEN_RULES & set(answer["rules"]) and not answer["errors"], answer
    assert refusal(query) is None


def _lexer_keywords() -> set[str]:
    """The keywords of Neo4j's lexer (Cypher25Lexer.g4): token rules spelled with letter fragments."""
    text = (GRAMMAR / "Cypher25Lexer.g4").read_text(encoding="utf-8")
    names = ["ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"]
    digits = dict(zip(names, "0123456789", strict=True))
    spelled = {**{c: c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}, **digits, "UNDERSCORE": "_"}
    words = set()
    for body in re.findall(r"^[A-Z][A-Z_0-9]*\s*\n\s*:\s*((?:[A-Z]+ ?)+)\s*\n\s*;", text, re.MULTILINE):
        parts = body.split()
        if all(part in spelled for part in parts):
            words.add("".join(spelled[part] for part in parts))
    return words


def test_the_guard_knows_every_keyword_of_neo4js_lexer(front_end: FrontEnd) -> None:
    keywords = _lexer_keywords()
    assert len(keywords) > 300 and keywords <= KEYWORDS, sorted(keywords - KEYWORDS)


# The guard treats every write keyword alike: one of each shape (an expression, a pattern, a name after).
WRITES = ["SET {v}.x = 1", "CREATE (w)", "DETACH DELETE {v}", "CALL dbms.listConfig() YIELD name AS w"]
TEMPLATES = [
    "MATCH ({v}) WITH {v} {write} RETURN 1 AS one",
    "MATCH ({v}) WITH {v} AS {v} {write} RETURN 1 AS one",
    "MATCH (n) WITH n AS {v} {write} RETURN 1 AS one",
    "MATCH ({v}) WITH * WHERE {v}.x = 1 {write} RETURN 1 AS one",
    "MATCH ({v}) RETURN {v} ORDER BY {v} {write} RETURN 1 AS one",
    "MATCH ({v}) WITH {v} AS as {write} RETURN 1 AS one",
    "MATCH ({v}) WITH {v} AS `{v}` {write} RETURN 1 AS one",
]


def test_a_keyword_used_as_a_variable_never_hides_a_write(front_end: FrontEnd) -> None:
    """Every keyword of the lexer, as a variable right before a write: where the front end reads a write
    clause, the guard refuses (the guard takes a word for a name only where its neighbours prove it)."""
    for variable in sorted(keyword.lower() for keyword in _lexer_keywords()):  # keywords ignore case
        for template in TEMPLATES:
            for write in WRITES:
                check(front_end, template.format(v=variable, write=write.format(v=variable)))


NAMES = ["n", "set", "start", "finish", "as", "not", "return", "with", "call", "limit", "order", "union",
         "delete", "create", "use", "show", "load", "foreach", "`CREATE`", "`a``b`"]  # fmt: skip
NOISE = ["CREATE (x)", "SET n.x = 1", "CALL dbms.listConfig()", "SHOW DATABASES", "'", '"', "`", "\\",
         "*/", "/*", "//", "}", "{", "USE system", "x"]  # fmt: skip
SEPARATORS = st.one_of(
    st.sampled_from([" ", "\n", "\r", "\t", "\r\n", "\u2028", "\u0085", "\u00a0"]),
    st.builds(
        lambda text, end: f" //{text}{end}", st.sampled_from(NOISE), st.sampled_from(["\n", "\r", "\u2028"])
    ),
    st.builds(lambda text: f"/*{text.replace('*/', '')}*/", st.sampled_from(NOISE)),
)
STRING_PARTS = st.sampled_from(
    ["a", "CREATE (m)", "\\'", '\\"', "\\\\", "//", "/*", "*/", "`", "} SET n.x = 1 {"]
)
LITERALS = st.one_of(
    st.integers(0, 9).map(str),
    st.lists(STRING_PARTS, max_size=4).map(lambda parts: "'" + "".join(parts).replace("'", "\\'") + "'"),
    st.lists(STRING_PARTS, max_size=4).map(lambda parts: '"' + "".join(parts).replace('"', '\\"') + '"'),
)


@st.composite
def queries(draw: st.DrawFn) -> str:
    """MATCH, a few clauses (reads, writes, procedure calls, commands) over variables that may be named
    like keywords, and a tail; tokens joined by spaces, comments and line ends of every kind."""
    name = draw(st.sampled_from(NAMES))
    literal = draw(LITERALS)
    clauses = {
        "read": [
            f"MATCH ({name})-->(q)",
            f"WITH * WHERE {name}.set = {literal}",
            f"WITH {name}, {literal} AS start",
            "CALL { MATCH (m) RETURN count(m) AS c }",
            f"OPTIONAL MATCH ({name})-[r]->(finish)",
            f"UNWIND [{literal}] AS u",
        ],
        "write": [
            f"SET {name}.x = {literal}",
            f"SET {name}:Intruder",
            f"REMOVE {name}.start",
            f"CREATE (w {{set: {literal}}})",
            f"MERGE (w {{id: {literal}}})",
            f"DETACH DELETE {name}",
            f"FOREACH (i IN [1] | SET {name}.x = i)",
            f"CALL {{ WITH {name} CREATE (w) }}",
            "INSERT (w:Intruder)",
        ],
        "other": [
            "CALL dbms.listConfig() YIELD name AS setting",
            f"LOAD CSV FROM {literal} AS line",
            "SHOW TRANSACTIONS YIELD transactionId AS tx",
        ],
    }
    middle = draw(
        st.lists(
            st.sampled_from(["read", "write", "other"]).flatmap(lambda k: st.sampled_from(clauses[k])),
            max_size=3,
        )
    )
    tail = draw(
        st.sampled_from([f"RETURN {name}", f"RETURN {name} LIMIT 1", "RETURN count(*) AS set", "FINISH"])
    )
    first = draw(
        st.sampled_from([f"MATCH ({name})", "USE neo4j MATCH (n)" if name == "n" else f"MATCH ({name})"])
    )
    tokens = " ".join([first, *middle, tail]).split(" ")
    return "".join(token + draw(SEPARATORS) for token in tokens).rstrip()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=queries())
# Found by this property in CI: the front end reads U+0085 inside a word and runs the comment past U+2028.
@example(query="MATCH //CREATE (x)\u2028(n)\nRETURN\x85count(*) AS set")
def test_whatever_neo4j_reads_as_a_write_the_guard_refuses(front_end: FrontEnd, query: str) -> None:
    event(check(front_end, query))
