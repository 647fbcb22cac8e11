// question: Every finding of the imported HPO graph (the HP terms under Phenotypic abnormality) with its
//   label and its is_a parents among those findings: one row per parent, and one row without a parent
//   for HP:0000118 itself.
//   Readers follow the (:Release {graph: 'hpo'}) pointer: a release being loaded beside it is unseen.
// parameters: none
// returns: term, label, parent
// example: run as is on a graph loaded with `clinkg load neo4j --hpo` (no rows on the curated graph alone).
MATCH (rel:Release {graph: 'hpo'})
MATCH (t:Finding {graph: 'hpo', release: rel.release})
OPTIONAL MATCH (t)-[:IS_A]->(p:Finding)
RETURN t.curie AS term, t.label AS label, p.curie AS parent
ORDER BY term, parent
