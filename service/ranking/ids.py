"""Identifiers: our entity ids from IRIs, and CURIEs of cross-reference IRIs."""

from __future__ import annotations

from clinkg.ontology import ID, XREF_NAMESPACES


def local_id(iri: str) -> str:
    """Our entity id of an entity IRI."""
    return iri.removeprefix(str(ID))


def xref_curie(iri: str) -> str:
    """The CURIE of a cross-reference IRI (http://purl.obolibrary.org/obo/HP_0007340 -> HP:0007340)."""
    for prefix, namespace in XREF_NAMESPACES.items():
        if iri.startswith(str(namespace)):
            return f"{prefix}:{iri.removeprefix(str(namespace))}"
    return iri
