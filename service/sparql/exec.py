"""SPARQL execution on an Oxigraph store: SERVICE and FROM detection, the query, content negotiation.

Free of the web framework, so the same function runs in the server and in the killable worker processes
(service/sparql/workers.py). Refusals are QueryFailedError(status, detail).
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from clinkg.service.sparql.formats import TABLES, NotAcceptableError, negotiate

# A keyword and the token after it: where Oxigraph reports a failure when the keyword is blunted.
_SERVICE = re.compile(r"service\s*[^\s{]*", re.IGNORECASE)
_FROM = re.compile(r"from\s*[^\s{]*", re.IGNORECASE)
_ERROR_AT = re.compile(r"error at (\d+):(\d+)")


class QueryFailedError(Exception):
    """The query is refused or failed; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def execute(
    store: ox.Store,
    text: str,
    dataset: dict[str, Any] | None,
    federation: bool,
    accept: str | None,
    formats: list[str],
) -> tuple[str, bytes]:
    """Run one read-only query; returns the negotiated media type and the serialized result."""
    if not federation and _SERVICE.search(text):
        failure = _blunted_failure(text, ("service",))
        if failure is not None:
            offset, error = failure
            if _at(_SERVICE, text, offset):
                raise QueryFailedError(403, "SERVICE (federated query) is disabled on this endpoint")
            raise QueryFailedError(400, f"SPARQL syntax error: {error}")
    if dataset is None:
        # pyoxigraph's union option overrides FROM; as the Oxigraph server does, use it only without FROM.
        failure = _blunted_failure(text, ("service", "from")) if _FROM.search(text) else None
        uses_from = failure is not None and _at(_FROM, text, failure[0])
        dataset = {} if uses_from else {"use_default_graph_as_union": True}
    try:
        result = store.query(text, **dataset)
    except SyntaxError as exc:
        raise QueryFailedError(400, f"SPARQL syntax error: {exc}") from exc
    table = TABLES[type(result)]
    try:
        media = negotiate(table, accept, formats)
        return media, result.serialize(format=table.media_types[media]) or b""
    except NotAcceptableError as exc:
        raise QueryFailedError(406, str(exc)) from exc
    except OSError as exc:
        raise QueryFailedError(500, f"the query failed: {exc}") from exc
    finally:
        # pyoxigraph results must be dropped on the thread that made them, not where the error is handled.
        del result


def _blunted_failure(text: str, words: tuple[str, ...]) -> tuple[int, SyntaxError] | None:
    # Oxigraph's own parser decides, on the text with each of `words` (any case) ending in x instead.
    # If that still parses, every occurrence sat in a literal, IRI, name or comment, none is a keyword;
    # otherwise the parse stops at the first blunted keyword or at an unrelated syntax error (its offset).
    # The blunted text cannot name SERVICE, so running it over an empty in-memory store never reaches out.
    blunt = re.compile("|".join(words), re.IGNORECASE)
    try:
        ox.Store().query(
            blunt.sub(lambda m: m.group()[:-1] + ("X" if m.group()[-1].isupper() else "x"), text)
        )
    except SyntaxError as exc:
        found = _ERROR_AT.search(str(exc))
        if found is None:
            return -1, exc
        line, column = int(found.group(1)), int(found.group(2))
        return sum(len(row) + 1 for row in text.split("\n")[: line - 1]) + column - 1, exc
    except OSError:
        return None
    return None


def _at(keyword: re.Pattern[str], text: str, offset: int) -> bool:
    # An unplaceable failure (-1) counts as the keyword: refusing is the safe reading.
    return offset < 0 or any(m.start() <= offset <= m.end() for m in keyword.finditer(text))
