"""Parameters of the SPARQL library are bound by a VALUES block of typed terms (never raw text)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from clinkg.service.stores.oxigraph import bind_values, substitutions

STROKE = "https://w3id.org/clinkg/id/stroke"
QUERY = """# question: WHERE { in a comment is not the query's
# parameters: cause
SELECT ?cause ?n WHERE {
  { SELECT ?cause (COUNT(*) AS ?n) WHERE { ?cause ?p ?o } GROUP BY ?cause }
}
"""


def test_the_block_opens_the_outer_where_not_a_comment_or_a_subquery() -> None:
    bound = bind_values(QUERY, {"cause": STROKE})
    lines = bound.splitlines()
    assert lines[:2] == QUERY.splitlines()[:2]
    assert lines[2] == "SELECT ?cause ?n WHERE {"
    assert lines[3].strip() == f"VALUES ?cause {{ <{STROKE}> }}"
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(STROKE), ox.NamedNode("http://e/p"), ox.Literal("x")))
    store.add(ox.Quad(ox.NamedNode("http://e/other"), ox.NamedNode("http://e/p"), ox.Literal("y")))
    rows = [(s["cause"].value, s["n"].value) for s in store.query(bound)]  # type: ignore[union-attr,index]
    assert rows == [(STROKE, "1")]


def test_no_parameters_leaves_the_text_as_it_is() -> None:
    assert bind_values(QUERY, {}) == QUERY
    assert substitutions({}) is None


@pytest.mark.parametrize(
    "value", ["https://w3id.org/clinkg/id/x> } ?s ?p ?o {", "not an iri", "https://e/a b", "<https://e/a>"]
)
def test_a_value_that_is_not_an_iri_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        bind_values(QUERY, {"cause": value})


@pytest.mark.parametrize("name", ["cause }", "?cause", "a b", ""])
def test_a_name_that_is_not_a_variable_is_refused(name: str) -> None:
    with pytest.raises(ValueError):
        bind_values(QUERY, {name: STROKE})


def test_a_query_without_where_is_refused() -> None:
    with pytest.raises(ValueError, match="WHERE"):
        bind_values("ASK { ?s ?p ?o }", {"s": STROKE})
