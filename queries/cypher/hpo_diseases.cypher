// question: Every disease of the imported HPO graph (OMIM, ORPHA and DECIPHER entries of phenotype.hpoa)
//   with its name.
//   Readers follow the (:Release {graph: 'hpo'}) pointer: a release being loaded beside it is unseen.
// parameters: none
// returns: disease, label
// example: run as is on a graph loaded with `clinkg load neo4j --hpo` (no rows on the curated graph alone).
MATCH (rel:Release {graph: 'hpo'})
MATCH (d:Condition {graph: 'hpo', release: rel.release})
RETURN d.curie AS disease, d.label AS label
ORDER BY disease
