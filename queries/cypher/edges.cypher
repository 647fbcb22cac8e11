// question: Every edge of the curated graph with its qualifiers and its provenance (source, section heading,
//   paragraph, statement).
// parameters: none
// returns: subject, predicate, object, onset, laterality, course, age_group, timing, context,
//   criterion_group, source, section, paragraph, statement
// example: run as is; match (subject)-[r:CAUSES]->(object) for the causal chains only.
MATCH (s:Entity)-[r {graph: 'curated'}]->(o:Entity)
RETURN s.id AS subject, type(r) AS predicate, o.id AS object, r.onset AS onset, r.laterality AS laterality,
       r.course AS course, r.age_group AS age_group, r.timing AS timing, r.context AS context,
       r.criterion_group AS criterion_group, r.source AS source, r.section AS section,
       r.paragraph AS paragraph, r.statement AS statement
ORDER BY subject, predicate, object
