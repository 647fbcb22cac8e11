"""The user-facing query library: sparql/*.rq and cypher/*.cypher, loaded by name."""
