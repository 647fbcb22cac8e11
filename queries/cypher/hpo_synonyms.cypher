// question: The other names (exact synonyms) of every finding and disease of the imported HPO graph, for
//   search: hp.obo's EXACT synonyms of the HP terms, and the other names phenotype.hpoa gives a disease.
//   Readers follow the (:Release {graph: 'hpo'}) pointer: a release being loaded beside it is unseen.
// parameters: none
// returns: entity, synonym
// example: run as is on a graph loaded with `clinkg load neo4j --hpo` (no rows on the curated graph alone).
MATCH (rel:Release {graph: 'hpo'})
MATCH (n {graph: 'hpo', release: rel.release})
WHERE (n:Finding OR n:Condition) AND n.synonyms IS NOT NULL
UNWIND n.synonyms AS synonym
RETURN n.curie AS entity, synonym
ORDER BY entity, synonym
