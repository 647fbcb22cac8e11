// question: Every disease of the imported HPO graph (OMIM, ORPHA and DECIPHER entries of phenotype.hpoa)
//   with its name.
// parameters: none
// returns: disease, label
// example: run as is on a graph loaded with `clinkg load neo4j --hpo` (no rows on the curated graph alone).
MATCH (d:Condition {graph: 'hpo'})
RETURN d.id AS disease, d.label AS label
ORDER BY disease
