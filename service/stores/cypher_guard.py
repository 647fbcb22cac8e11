"""The read-only guard for user Cypher: a linear-time pre-check, and the decisions the databases feed.

Layers, in order: `refusal` (this scan: writes, procedure calls, administration commands and LOAD CSV
are refused by name, before anything reaches a database); on Neo4j, `EXPLAIN` of the query in a READ
transaction, refused by `plan_refusal` unless the planner says the query only reads; then the READ
transaction itself (`GRAPH.RO_QUERY` on FalkorDB). The scan is cautious: where the words around a keyword
do not prove it is a name, it is taken for a clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

# Longer queries are refused before they are scanned: the scan is linear, but one request must not hold
# the interpreter for long (the route's request model uses the same bound).
MAX_QUERY_CHARS = 100_000
# Procedures that only read the schema; everything else (apoc.*, dbms.*, db.create*, gds.*) is refused.
ALLOWED_PROCEDURES = frozenset(
    {"db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization"}
)
# Clauses that write, and the first words of commands; each refused where it could start a clause.
WRITES = frozenset({"CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "INSERT", "FOREACH"})
COMMANDS = frozenset(
    {"SHOW", "USE", "TERMINATE", "DROP", "ALTER", "RENAME", "GRANT", "DENY", "REVOKE", "START", "STOP",
     "ENABLE", "DRYRUN", "DEALLOCATE", "REALLOCATE", "LOAD"}
)  # fmt: skip
# Every keyword of Neo4j's lexer (Cypher 25). A word not among them can only be a name, so a word after it
# is not read as a variable; taking a keyword for a name only makes the scan refuse more.
_KEYWORD_LIST = """
    ACCESS ACTIVE ACYCLIC ADD ADMIN ADMINISTRATOR ALIAS ALIASES ALL ALLREDUCE ALLSHORTESTPATHS ALTER
    ANALYZER AND ANY ARRAY AS ASC ASCENDING ASSIGN AT AUTH AUTO BINDINGS BOOL BOOLEAN BOOSTED BOTH BREAK
    BUILT BY CALL CASCADE CASE CHANGE CIDR COLLECT COMMAND COMMANDS COMPOSITE CONCURRENT CONDITION
    CONSTRAINT CONSTRAINTS CONTAINS CONTINUE COPY COSINE COUNT CREATE CREDENTIAL CREDENTIALS CSV CURRENT
    CYPHER DATA DATABASE DATABASES DATE DATETIME DBMS DEALLOCATE DEFAULT DEFINE DEFINED DELETE DENY DESC
    DESCENDING DESTROY DETACH DIFFERENT DISJOINT DISTINCT DOT DRIVER DROP DRYRUN DUMP DURATION EACH EDGE
    ELEMENT ELEMENTS ELSE ENABLE ENABLED ENCRYPTED END ENDS ERROR EUCLIDEAN EUCLIDEAN_SQUARED EXECUTABLE
    EXECUTE EXIST EXISTENCE EXISTS EXPAND EXPLAIN FAIL FALSE FIELDTERMINATOR FILTER FINISH FLOAT FLOAT32
    FLOAT64 FOR FOREACH FORWARDING FROM FULLTEXT FUNCTION FUNCTIONS GRANT GRAPH GRAPHS GROUP GROUPS
    HAMMING HEADERS HOME ID IF IMMUTABLE IMPERSONATE IMPLIES IN INDEX INDEXES INF INFINITY INSERT INT
    INT8 INT16 INT32 INT64 INTEGER INTEGER8 INTEGER16 INTEGER32 INTEGER64 INTO IS JOIN KEY LABEL LABELED
    LABELS LANGUAGE LEADING LET LIMIT LIST LOAD LOCAL LOOKUP MANAGEMENT MANHATTAN MAP MATCH MERGE METADATA
    NAME NAMES NAN NEW NEXT NFC NFD NFKC NFKD NODE NODES NODETACH NONE NORMALIZE NORMALIZED NOT NOTHING
    NOWAIT NULL OF OFFSET OIDC ON ONLY OPTION OPTIONAL OPTIONS OR ORDER PASSWORD PASSWORDS PATH PATHS
    PLAINTEXT POINT POPULATED PRIMARIES PRIMARY PRIVILEGE PRIVILEGES PROCEDURE PROCEDURES PROFILE
    PROPERTIES PROPERTY PROVIDER PROVIDERS RANGE READ REALLOCATE REDUCE REL RELATIONSHIP RELATIONSHIPS
    REMOVE RENAME REPEATABLE REPLACE REPLICA REPLICAS REPORT REQUIRE REQUIRED RESTRICT RETRY RETURN REVOKE
    ROLE ROLES ROW ROWS RULE RULES SCAN SCORE SEARCH SEC SECOND SECONDARIES SECONDARY SECONDS SECRET
    SECRETS SEEK SERVER SERVERS SET SETTING SETTINGS SHARD SHARDS SHORTEST SHORTESTPATH SHOW SIGNED SINGLE
    SKIP START STARTS STATUS STOP STRING SUPPORTED SUSPENDED TAG TAGS TARGET TERMINATE TEXT THEN TIME
    TIMESTAMP TIMEZONE TO TOPOLOGY TRAIL TRAILING TRANSACTION TRANSACTIONS TRAVERSE TRIM TRUE TYPE TYPED
    TYPES UNION UNIQUE UNIQUENESS UNWIND URL USE USER USERS USING UUID VALUE VARCHAR VECTOR VECTOR_DISTANCE
    VECTOR_NORM VERTEX VIA WAIT WALK WHEN WHERE WITH WITHOUT WRITE XOR YIELD ZONE ZONED"""
KEYWORDS = frozenset(_KEYWORD_LIST.split())
# Keywords always followed by an expression, a pattern or a name, never by a clause (unlike THEN, ELSE,
# DISTINCT and ALL, which UNION and conditional queries put before one).
OPERAND_KEYWORDS = frozenset(
    {"RETURN", "WITH", "WHERE", "UNWIND", "BY", "AND", "OR", "XOR", "NOT", "IN", "IS", "CONTAINS", "SKIP",
     "LIMIT", "OFFSET", "YIELD", "AS", "MATCH", "CASE", "WHEN", "FROM"}
)  # fmt: skip
# Punctuation after which only a name or an operand comes (`n.set`, `:Set`, `$set`, `a, set`, `x = set`),
# and punctuation no write keyword or command word is ever followed by (`set.x`, `{set: 1}`, `RETURN set`).
NAME_AFTER = frozenset(
    {".", ":", "::", "$", ",", "=", "<", "<=", ">=", "<>", "=~", "+", "-", "/", "%", "^", "+="}
)  # fmt: skip
NAME_BEFORE = frozenset(
    {".", ":", "::", ",", ")", "]", "}", "=", "<>", "<", ">", "<=", ">=", "=~", "/", "%", "^", "*", "|",
     "+=", ";"}
)  # fmt: skip
# What Neo4j's lexer takes for white space (besides ASCII), and the dashes and angle brackets it reads as
# arrows: neither is part of a word.
_SPACES = "\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ARROWS = "\xad\u2010-\u2015\ufe58\ufe63\uff0d\u27e8\u3008\ufe64\uff1c\u27e9\u3009\ufe65\uff1e"
_WORD = f"[^\\x00-\\x2f\\x3a-\\x40\\x5b-\\x5e\\x60\\x7b-\\x7f{_SPACES}{_ARROWS}]"
# Spaces and line ends beyond ASCII's on which Neo4j's lexers disagree: its front end
# (@neo4j-cypher/language-support, the one the tests run) reads U+0085 as part of a word and runs a `//`
# comment past U+2028, where this scan takes both for white space and line ends. A query holding one is
# refused, whatever the scan would make of it.
_UNSURE = re.compile(f"[\\x0b\\x0c\\x1c-\\x1f{_SPACES}]")
# A `//` comment ends at any line terminator: Neo4j ends it at \r as well as \n, and a comment that ends
# too early only shows the scan more text. Every quantifier is possessive, so no match ever backtracks:
# each token costs its own length, and the scan is linear by construction.
_CODE = re.compile(
    rf"""(?P<space>[\t\n\x0b\x0c\r\x1c-\x1f {_SPACES}]++)
    |(?P<comment>//[^\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]*+|/\*(?:[^*]++|\*(?!/))*+(?P<comment_end>\*/)?+)
    |(?P<string>'[^'\\]*+(?:\\.[^'\\]*+)*+(?P<single_end>')?+|"[^"\\]*+(?:\\.[^"\\]*+)*+(?P<double_end>")?+)
    |(?P<name>`[^`]*+(?:``[^`]*+)*+(?P<name_end>`)?+)
    |(?P<interpolation>[sS](?=['"]))
    |(?P<number>\.?+[0-9]{_WORD}*+)
    |(?P<word>{_WORD}++)
    |(?P<punct>::|<>|<=|>=|=~|\+=|.)""",
    re.VERBOSE | re.DOTALL,
)
# The group that closes each kind of lexeme: when none matched, the lexeme runs to the end of the query.
_CLOSERS = {"comment": ("comment_end",), "string": ("single_end", "double_end"), "name": ("name_end",)}
# Inside `s'...{expr}...'` (Cypher 25 interpolation): text up to the quote, a brace, or the end.
_TEXT = {quote: re.compile(rf"(?:[^{quote}{{}}\\]++|\\.)*+", re.DOTALL) for quote in "'\""}


class Token(NamedTuple):
    """A lexeme: kind is word, name (in backticks), string, number, punct, open (a string, comment or
    name left unclosed: the rest of the query) or end; text is the word as written, a name unescaped."""

    kind: str
    text: str
    start: int
    end: int


def _closed(match: re.Match[str], kind: str) -> bool:
    if kind == "comment" and match.group().startswith("//"):
        return True
    return any(match.group(closer) is not None for closer in _CLOSERS[kind])


def scan(query: str) -> Iterator[Token]:
    """The query's tokens in one pass (spaces and comments skipped), ending with an `end` token."""
    modes: list[str] = []  # "{" an expression in braces, or a quote: the text of an interpolated string
    position = 0
    while position < len(query):
        if modes and modes[-1] in _TEXT:
            quote = modes[-1]
            found = _TEXT[quote].match(query, position)
            position = found.end() if found else position
            if position >= len(query):
                yield Token("open", query[position:], position, position)
                break
            char = query[position]
            if char == quote:
                modes.pop()
                yield Token("string", char, position, position + 1)
            elif char == "{":
                modes.append("{")
                yield Token("punct", "{", position, position + 1)
            position += 1  # a stray `}` is text the database refuses
            continue
        match = _CODE.match(query, position)
        if match is None:  # unreachable: the last alternative takes any character
            break
        kind, lexeme, start, position = match.lastgroup or "punct", match.group(), match.start(), match.end()
        if kind == "space":
            continue
        if kind in ("comment", "string", "name") and not _closed(match, kind):
            yield Token("open", lexeme, start, position)
            break
        if kind == "comment":
            continue
        if kind == "interpolation":
            modes.append(query[position])
            yield Token("string", lexeme, start, position + 1)
            position += 1
        elif kind == "name":
            yield Token("name", lexeme[1:-1].replace("``", "`"), start, position)
        else:
            if lexeme == "{":
                modes.append("{")
            elif lexeme == "}" and modes:
                modes.pop()
            yield Token(kind, lexeme, start, position)
    else:
        if any(mode in _TEXT for mode in modes):  # an interpolated string still open at the end
            yield Token("open", "", len(query), len(query))
    yield Token("end", "", len(query), len(query))


def keyword(token: Token | None) -> str:
    """The keyword a word token could be (ASCII words only: Neo4j's keywords are ASCII), else ''."""
    if token is None or token.kind != "word" or not token.text.isascii():
        return ""
    return token.text.upper()


def _keyword_role(before: Token, earlier: Token | None, earlier_named: bool) -> bool:
    """Whether `before`, a word spelled as a keyword, must be that keyword given the token before it:
    after a closed operand, an opening brace, a name (proven, or no keyword at all) or nothing, a
    variable cannot come."""
    if earlier is None or earlier_named or (earlier.kind == "punct" and earlier.text in (")", "]", "}", "{")):
        return True
    if earlier.kind in ("string", "number", "name"):
        return True
    if earlier.kind == "word" and keyword(earlier) not in KEYWORDS:
        return True
    pairs = {"BY": ("ORDER", "GROUP"), "WITH": ("STARTS", "ENDS")}
    return keyword(earlier) in pairs.get(keyword(before), ())


def is_name(
    earlier: tuple[Token | None, bool], before: Token | None, after: Token, brackets: list[str]
) -> bool:
    """True when the neighbours prove that a word is a name (variable, key, label), not a clause's first
    word: inside parentheses or brackets (only FOREACH puts clauses there, and it is refused itself);
    after `.`, `:` or an operator; before `.`, `:`, `,`, a closing bracket or the end; after a keyword
    that takes an operand (RETURN set, AS set) when that keyword cannot itself be a variable."""
    if brackets and brackets[-1] in ("(", "["):
        return True
    if before is not None and before.kind == "punct" and before.text in NAME_AFTER:
        return True
    if after.kind == "end" or (after.kind == "punct" and after.text in NAME_BEFORE):
        return True
    return before is not None and keyword(before) in OPERAND_KEYWORDS and _keyword_role(before, *earlier)


_WATCHED = WRITES | COMMANDS | {"CALL"}
_OPENERS = {")": "(", "]": "[", "}": "{"}


def _procedure_refusal(name: list[str]) -> str | None:
    if ".".join(name).lower() in ALLOWED_PROCEDURES:
        return None
    return f"procedure calls (CALL name) are not allowed; allowed: {', '.join(sorted(ALLOWED_PROCEDURES))}"


def refusal(query: str) -> str | None:
    """Why the query is refused, or None when it may go to the database. The reason never quotes the
    query: it names one of our own keywords."""
    if len(query) > MAX_QUERY_CHARS:
        return f"the query is longer than {MAX_QUERY_CHARS} characters"
    unsure = _UNSURE.search(query)
    if unsure is not None:
        return (
            f"U+{ord(unsure.group()):04X} is not allowed: Neo4j's lexers read this space or line end "
            "differently; write ASCII spaces and line ends (in a string, an escape such as \\u00a0)"
        )
    brackets: list[str] = []
    earlier: Token | None = None
    before: Token | None = None
    current: Token | None = None
    earlier_named = before_named = False  # whether those words were proven names
    procedure: list[str] | None = None  # the dotted name after a CALL, while it is being read
    for after in scan(query):
        if current is not None:
            if procedure is not None:
                dotted = before is not None and before.kind == "punct" and before.text == "."
                if current.kind in ("word", "name") and (not procedure or dotted):
                    procedure.append(current.text)
                elif not (current.kind == "punct" and current.text == "."):
                    if reason := _procedure_refusal(procedure):
                        return reason
                    procedure = None
            word = keyword(current)
            named = current.kind == "word" and is_name((earlier, earlier_named), before, after, brackets)
            if word in _WATCHED and not named:
                if word != "CALL":
                    shown = "LOAD CSV" if word == "LOAD" else word
                    return f"the Cypher endpoint is read-only: '{shown}' is not allowed"
                # CALL name is a procedure call; CALL { and CALL ( start subqueries.
                if after.kind in ("word", "name"):
                    procedure = []
            if current.kind == "punct" and current.text in ("(", "[", "{"):
                brackets.append(current.text)
            elif current.kind == "punct" and brackets and brackets[-1] == _OPENERS.get(current.text):
                brackets.pop()
            earlier_named, before_named = before_named, named
        earlier, before, current = before, current, after
    return _procedure_refusal(procedure) if procedure is not None else None


def plan_refusal(query_type: str | None) -> str | None:
    """Why a query is refused given the query type Neo4j's planner reports for it under EXPLAIN ('r' read
    only, 'rw' read and write, 'w' write only, 's' schema), or None when it only reads."""
    if query_type == "r":
        return None
    kinds = {"rw": "reads and writes", "w": "writes", "s": "changes the schema"}
    said = kinds.get(query_type or "", "may do more than read")
    return f"the Cypher endpoint is read-only: the database plans this query as one that {said}"


_INTEGER = re.compile(r"[0-9](?:_?+[0-9])*+")


def bounded(query: str, rows: int, parameters: Mapping[str, Any]) -> str | None:
    """The query rewritten so that the database builds at most `rows` rows (for FalkorDB, whose replies
    are not streamed): its final `LIMIT n` or `LIMIT $n` lowered to `rows`, or `LIMIT rows` appended; a
    UNION is wrapped in `CALL { ... } RETURN *` instead, since a LIMIT per branch would change which
    duplicates a UNION removes. None when a string, comment, name or bracket is left open."""
    tokens = list(scan(query))
    depth, union = 0, False
    for token in tokens:
        if token.kind == "open":
            return None
        if token.kind == "punct":
            depth += (token.text in ("(", "[", "{")) - (token.text in _OPENERS)
        if depth < 0:
            return None
        union = union or (depth == 0 and keyword(token) == "UNION")
    body = tokens[:-1]
    if depth or not body:
        return None
    cut = len(query)
    if body[-1].kind == "punct" and body[-1].text == ";":
        cut, body = body[-1].start, body[:-1]
    text = query[:cut]
    if union:
        return f"CALL {{\n{text}\n}}\nRETURN *\nLIMIT {rows}"
    last = body[-1]
    if len(body) >= 2 and keyword(body[-2]) == "LIMIT" and _INTEGER.fullmatch(last.text):
        return f"{query[: last.start]}{min(int(last.text.replace('_', '')), rows)}{query[last.end : cut]}"
    if len(body) >= 3 and keyword(body[-3]) == "LIMIT" and body[-2].text == "$":
        value = parameters.get(last.text)
        if type(value) is int and value >= 0:
            return f"{query[: body[-2].start]}{min(value, rows)}{query[last.end : cut]}"
    return f"{text}\nLIMIT {rows}"
