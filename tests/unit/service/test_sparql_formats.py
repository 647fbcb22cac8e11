"""The SPARQL endpoint's format helpers: a query's declared prefixes, how they merge with clinkg's, the
new graph formats in the negotiation table, and when a client prefers HTML to every RDF format."""

from __future__ import annotations

import pytest

from clinkg.service.sparql.exec import merge_prefixes, query_prefixes
from clinkg.service.sparql.formats import GRAPH, SOLUTIONS, negotiate, prefers


def test_query_prefixes_reads_the_prologue_only() -> None:
    text = (
        "# a comment naming PREFIX no: <http://no/>\n"
        "BASE <http://base/>\n"
        "prefix ex: <http://example.org/>\n"
        "PREFIX :<http://empty/> PREFIX rel: <relative/>\n"
        "SELECT * WHERE { ?s ?p 'PREFIX late: <http://late/>' }"
    )
    # A relative IRI cannot be declared in Turtle; the comment and the string are not declarations.
    assert query_prefixes(text) == {"ex": "http://example.org/", "": "http://empty/"}


def test_the_last_declaration_of_a_name_wins() -> None:
    assert query_prefixes("PREFIX a: <http://one/> PREFIX a: <http://two/> ASK {}") == {"a": "http://two/"}


def test_the_query_s_names_win_and_no_namespace_gets_two() -> None:
    standard = {"clinkg": "https://w3id.org/clinkg/id/", "ckg": "https://w3id.org/clinkg/ontology#"}
    declared = {"id": "https://w3id.org/clinkg/id/", "ckg": "http://other/"}
    assert merge_prefixes(declared, standard) == declared
    assert merge_prefixes({}, standard) == standard


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/n3", "text/n3"),
        ("application/trig", "application/trig"),
        ("application/n-quads", "application/n-quads"),
        ("application/json", "application/json"),
        ("application/*", "application/n-triples"),  # the table's order is unchanged for ranges
        ("text/*", "text/turtle"),
    ],
)
def test_graph_formats_by_accept(accept: str, expected: str) -> None:
    assert negotiate(GRAPH, accept) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("text/html", True),
        ("text/*", False),  # text/turtle matches as well
        ("*/*", False),
        (None, False),
        ("text/html, text/turtle", False),
        ("text/html;q=0.9, application/ld+json", False),
        ("application/ld+json;q=0.1, text/html;q=0.2", True),
        ("text/html;q=0", False),
    ],
)
def test_prefers_html_only_above_every_rdf_format(accept: str | None, expected: bool) -> None:
    assert prefers("text/html", GRAPH, accept) is expected


def test_prefers_weighs_the_table_given() -> None:
    assert prefers("text/html", SOLUTIONS, "text/html, text/turtle") is True
