"""SPARQL result formats as lookup tables (media type -> pyoxigraph format, W3C format IRI) and Accept
negotiation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pyoxigraph as ox

F = TypeVar("F", ox.QueryResultsFormat, ox.RdfFormat)


class NotAcceptableError(Exception):
    """No format the client asked for can represent the result; the message lists those that can."""


@dataclass(frozen=True)
class FormatTable(Generic[F]):
    """The formats one kind of result can be written in, in the server's order of preference."""

    kind: str
    media_types: dict[str, F]
    names: dict[str, str]

    @property
    def default(self) -> str:
        """The media type answered when the client expresses no preference."""
        return next(iter(self.media_types))

    def available(self) -> str:
        """The media types and `format` names this table offers, for error messages and docs."""
        return f"{', '.join(self.media_types)} (format= {', '.join(self.names)})"


SOLUTIONS = FormatTable(
    kind="SELECT and ASK results",
    media_types={
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "application/xml": ox.QueryResultsFormat.XML,
        "text/csv": ox.QueryResultsFormat.CSV,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    },
    names={
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    },
)

GRAPH = FormatTable(
    kind="CONSTRUCT and DESCRIBE results",
    media_types={
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "application/ld+json": ox.RdfFormat.JSON_LD,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
        # Turtle is N3, so an N3 client gets Turtle under the type it asked for.
        "text/n3": ox.RdfFormat.TURTLE,
        # A graph as a dataset: its triples in the default graph.
        "application/trig": ox.RdfFormat.TRIG,
        "application/n-quads": ox.RdfFormat.N_QUADS,
        # Last, so that application/* still picks N-Triples: JSON-LD for a client that asks for JSON.
        "application/json": ox.RdfFormat.JSON_LD,
    },
    names={
        "turtle": "text/turtle",
        "ttl": "text/turtle",
        "nt": "application/n-triples",
        "ntriples": "application/n-triples",
        "n-triples": "application/n-triples",
        "json-ld": "application/ld+json",
        "jsonld": "application/ld+json",
        "json": "application/ld+json",
        "rdf+xml": "application/rdf+xml",
        "rdfxml": "application/rdf+xml",
        "xml": "application/rdf+xml",
        "n3": "text/n3",
        "trig": "application/trig",
        "nq": "application/n-quads",
        "nquads": "application/n-quads",
        "n-quads": "application/n-quads",
    },
)

# The formats' names in the W3C registry (https://www.w3.org/ns/formats/), for the service description.
_W3C = "http://www.w3.org/ns/formats/"
FORMAT_IRIS: dict[str, str] = {
    "application/sparql-results+json": f"{_W3C}SPARQL_Results_JSON",
    "application/sparql-results+xml": f"{_W3C}SPARQL_Results_XML",
    "text/csv": f"{_W3C}SPARQL_Results_CSV",
    "text/tab-separated-values": f"{_W3C}SPARQL_Results_TSV",
    "text/turtle": f"{_W3C}Turtle",
    "application/n-triples": f"{_W3C}N-Triples",
    "application/ld+json": f"{_W3C}JSON-LD",
    "application/rdf+xml": f"{_W3C}RDF_XML",
    "text/n3": f"{_W3C}N3",
    "application/trig": f"{_W3C}TriG",
    "application/n-quads": f"{_W3C}N-Quads",
}

# The formats that write prefixed names, so a graph answered in them declares its prefixes.
PREFIXED_FORMATS = frozenset({ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3})

TABLES: dict[type, FormatTable[Any]] = {
    ox.QuerySolutions: SOLUTIONS,
    ox.QueryBoolean: SOLUTIONS,
    ox.QueryTriples: GRAPH,
}

ALL_MEDIA_TYPES: tuple[str, ...] = tuple(dict.fromkeys((*SOLUTIONS.media_types, *GRAPH.media_types)))


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values (malformed q counts as 0)."""
    ranges: list[tuple[str, float]] = []
    for part in (header or "").split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        if media == "*":
            media = "*/*"
        if "/" not in media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    # The most specific matching range decides (RFC 9110, 12.5.1): text/csv;q=0 beats */*.
    kind = media_type.split("/")[0]
    by_specificity = {media_type: 2, f"{kind}/*": 1, "*/*": 0}
    best: tuple[int, float] = (-1, 0.0)
    for media, q in ranges:
        specificity = by_specificity.get(media, -1)
        if specificity >= 0 and (specificity, q) > best:
            best = (specificity, q)
    return best[1]


def negotiate(table: FormatTable[Any], accept: str | None, formats: Sequence[str] = ()) -> str:
    """The media type to answer in: the first `format` value the table knows, else the best Accept match.

    Ties in q go to the table's order, so `*/*` (or no Accept at all) gets the default.
    """
    if formats:
        for value in formats:
            media = table.names.get(value.strip().lower(), value.strip().lower())
            if media in table.media_types:
                return media
        raise NotAcceptableError(
            f"format={', '.join(formats)} cannot represent {table.kind}; available: {table.available()}"
        )
    ranges = parse_accept(accept)
    if not ranges:
        return table.default
    best, best_q = None, 0.0
    for media in table.media_types:
        q = _quality(media, ranges)
        if q > best_q:
            best, best_q = media, q
    if best is None:
        raise NotAcceptableError(
            f"no media type in Accept: {accept} can represent {table.kind}; available: {table.available()}"
        )
    return best


def prefers(media_type: str, table: FormatTable[Any], accept: str | None) -> bool:
    """True when Accept ranks `media_type` strictly above every type of the table (a browser's
    `text/html,...,*/*;q=0.8` prefers HTML to Turtle; `*/*` or no Accept does not)."""
    ranges = parse_accept(accept)
    wanted = _quality(media_type, ranges)
    return wanted > 0 and all(wanted > _quality(media, ranges) for media in table.media_types)
