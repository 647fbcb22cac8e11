// question: Every phenotype annotation of the imported HPO graph: the disease, whether it presents with
//   the term or explicitly not (a NOT row), and the row's provenance (source release, line of
//   phenotype.hpoa, statement, evidence code, one row per reference) and frequency and onset qualifiers.
// parameters: none
// returns: disease, predicate, term, source, paragraph, statement, evidence, reference, frequency_value,
//   onset
// example: run as is on a graph loaded with `clinkg load neo4j --hpo`; add WHERE t.id = 'HP:0007340' for one term.
MATCH (d:Condition {graph: 'hpo'})-[r:PRESENTS_WITH|NOT_PRESENTS_WITH]->(t:Finding)
UNWIND r.references AS reference
RETURN d.id AS disease, type(r) AS predicate, t.id AS term, r.source AS source, r.paragraph AS paragraph,
       r.statement AS statement, r.evidence AS evidence, reference, r.frequency_value AS frequency_value,
       r.onset_term AS onset
ORDER BY disease, term, paragraph, reference
