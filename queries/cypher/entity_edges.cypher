// question: Every edge in or out of an entity: its direction, predicate, the entity at the other end, its
//   qualifiers and its provenance (source, section heading, paragraph, statement).
// parameters: entity (an entity id, null for every entity)
// returns: entity, direction (out | in), predicate, other, other_label, onset, laterality, course,
//   age_group, timing, context, criterion_group, source, section, paragraph, statement
// example: entity = stroke
MATCH (entity:Entity)
WHERE $entity IS NULL OR entity.id = $entity
WITH entity,
     [(entity)-[r1]->(o1:Entity) | {direction: 'out', edge: r1, other: o1}] AS outgoing,
     [(entity)<-[r2]-(o2:Entity) | {direction: 'in', edge: r2, other: o2}] AS incoming
UNWIND outgoing + incoming AS hit
WITH entity, hit.direction AS direction, hit.edge AS r, hit.other AS other
WHERE other.label IS NOT NULL
RETURN entity.id AS entity, direction, type(r) AS predicate, other.id AS other, other.label AS other_label,
       r.onset AS onset, r.laterality AS laterality, r.course AS course, r.age_group AS age_group,
       r.timing AS timing, r.context AS context, r.criterion_group AS criterion_group, r.source AS source,
       r.section AS section, r.paragraph AS paragraph, r.statement AS statement
ORDER BY entity, direction, predicate, other
