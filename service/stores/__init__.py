"""Graph stores behind one small protocol: the embedded Oxigraph store and Neo4j."""
