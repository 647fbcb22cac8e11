"""The first of the read-only layers for user Cypher: refuse write clauses and procedure calls.

The second layer is the transaction itself (READ access mode in Neo4j, `GRAPH.RO_QUERY` in FalkorDB),
which refuses a write whatever this check misses; this one answers early with a clear message.
"""

from __future__ import annotations

import re

# Strings, quoted names and comments are blanked first, so a word inside them is not a clause.
_LITERALS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)
_WRITES = re.compile(
    r"\b(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|FOREACH|LOAD\s+CSV|GRANT|DENY|REVOKE|ALTER|RENAME"
    r"|START|STOP|TERMINATE|ENABLE|DEALLOCATE|REALLOCATE|FINISH)\b",
    re.I,
)
_CALL = re.compile(r"\bCALL\b\s*([A-Za-z_][\w.]*)?", re.I)
# Procedures that only read the schema; everything else (apoc.*, dbms.*, db.create*, gds.*) is refused.
ALLOWED_PROCEDURES = frozenset(
    {"db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization"}
)


def refusal(query: str) -> str | None:
    """Why the query is refused, or None when it may run."""
    text = _LITERALS.sub(" ", query)
    write = _WRITES.search(text)
    if write:
        return f"the Cypher endpoint is read-only: '{write.group(1).upper()}' is not allowed"
    for call in _CALL.finditer(text):
        procedure = (call.group(1) or "").lower()
        if procedure not in ALLOWED_PROCEDURES:
            shown = call.group(1) or "a subquery"
            return f"CALL of {shown} is not allowed (allowed: {', '.join(sorted(ALLOWED_PROCEDURES))})"
    return None
