// question: Every finding of the imported HPO graph (the HP terms under Phenotypic abnormality) with its
//   label and its is_a parents among those findings: one row per parent, and one row without a parent
//   for HP:0000118 itself.
// parameters: none
// returns: term, label, parent
// example: run as is on a graph loaded with `clinkg load neo4j --hpo` (no rows on the curated graph alone).
MATCH (t:Finding {graph: 'hpo'})
OPTIONAL MATCH (t)-[:IS_A]->(p:Finding)
RETURN t.id AS term, t.label AS label, p.id AS parent
ORDER BY term, parent
