"""Content negotiation of the SPARQL endpoint: lookup tables and RFC 9110 Accept matching."""

from __future__ import annotations

import pytest

from clinkg.service.sparql.formats import GRAPH, SOLUTIONS, NotAcceptableError, negotiate, parse_accept


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),  # no preference: the table's default
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("text/*", "text/csv"),  # the first text/* in the table's order
        ("application/xml;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0, */*", "application/sparql-results+json"),  # the most specific range decides
        ("application/json", "application/json"),
    ],
)
def test_solutions_by_accept(accept: str | None, expected: str) -> None:
    assert negotiate(SOLUTIONS, accept) == expected


def test_a_format_parameter_wins_over_accept() -> None:
    assert negotiate(SOLUTIONS, "text/csv", ["tsv"]) == "text/tab-separated-values"
    assert negotiate(GRAPH, None, ["application/n-triples"]) == "application/n-triples"


@pytest.mark.parametrize(
    ("table", "accept", "formats"),
    [
        (SOLUTIONS, "text/turtle", ()),
        (GRAPH, "text/csv", ()),
        (SOLUTIONS, None, ["ttl"]),
    ],
)
def test_nothing_acceptable_says_what_is_available(
    table: object, accept: str | None, formats: list[str]
) -> None:
    with pytest.raises(NotAcceptableError, match="available"):
        negotiate(table, accept, formats)  # type: ignore[arg-type]


def test_malformed_q_counts_as_zero_and_bare_star_as_any() -> None:
    assert parse_accept("text/csv;q=high, *") == [("text/csv", 0.0), ("*/*", 1.0)]
