"""The Human Phenotype Ontology import: one reader of the installed hp.obo and phenotype.hpoa (read),
its RDF writer for the release store (rdf), and its property-graph writer for Neo4j and FalkorDB (graph)."""
