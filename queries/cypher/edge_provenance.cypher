// question: Why does the graph say that `subject` is linked to `object`: the provenance (source, section
//   heading, paragraph, statement) and qualifiers of every edge from subject to object (one direction;
//   swap the two for the other), optionally of one predicate only.
// parameters: subject (the entity id at the start of the edge); object (the entity id at its end);
//   predicate (optional, a relationship type such as PRESENTS_WITH, null for every predicate)
// returns: subject, predicate, object, source, section, paragraph, statement, onset, laterality, course,
//   age_group, timing, context, criterion_group
// example: subject = stroke; object = leg-weakness; predicate = PRESENTS_WITH
MATCH (s:Entity)-[r]->(o:Entity)
WHERE ($subject IS NULL OR s.id = $subject) AND ($object IS NULL OR o.id = $object)
  AND ($predicate IS NULL OR type(r) = $predicate)
RETURN s.id AS subject, type(r) AS predicate, o.id AS object, r.source AS source, r.section AS section,
       r.paragraph AS paragraph, r.statement AS statement, r.onset AS onset, r.laterality AS laterality,
       r.course AS course, r.age_group AS age_group, r.timing AS timing, r.context AS context,
       r.criterion_group AS criterion_group
ORDER BY subject, predicate, object, source, section, paragraph
