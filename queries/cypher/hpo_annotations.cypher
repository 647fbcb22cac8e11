// question: Every phenotype annotation of the imported HPO graph: the disease, whether it presents with
//   the term or explicitly not (a NOT row), and the row's provenance (source release, line of
//   phenotype.hpoa, statement, evidence code, one row per reference) and frequency and onset qualifiers.
//   Readers follow the (:Release {graph: 'hpo'}) pointer: a release being loaded beside it is unseen.
// parameters: none
// returns: disease, predicate, term, source, paragraph, statement, evidence, reference, frequency_value,
//   onset
// example: run as is on a graph loaded with `clinkg load neo4j --hpo`; add WHERE t.curie = 'HP:0007340' for one term.
MATCH (rel:Release {graph: 'hpo'})
MATCH (d:Condition {graph: 'hpo', release: rel.release})-[r:PRESENTS_WITH|NOT_PRESENTS_WITH]->(t:Finding)
UNWIND r.references AS reference
RETURN d.curie AS disease, type(r) AS predicate, t.curie AS term, r.source AS source, r.paragraph AS paragraph,
       r.statement AS statement, r.evidence AS evidence, reference, r.frequency_value AS frequency_value,
       r.onset_term AS onset
ORDER BY disease, term, paragraph, reference
