// question: The findings a cause is expected to show, and how: `direct` (the cause presents with the
//   finding; qualifiers from that edge) or `mechanism` (the cause acts through a mechanism that manifests
//   as the finding; via is the mechanism, qualifiers from the MANIFESTS_AS edge). Useful to weigh absent
//   findings against a candidate.
// parameters: cause (a cause id, null for every cause)
// returns: cause, finding, finding_label, route (direct | mechanism), via, via_label, onset, laterality,
//   course, timing, context
// example: cause = stroke
MATCH (cause:Entity)
WHERE $cause IS NULL OR cause.id = $cause
WITH cause,
     [(cause)-[r1:PRESENTS_WITH]->(f1:Entity) | {finding: f1, route: 'direct', via: null, edge: r1}] AS direct,
     [(cause)-[:ACTS_THROUGH]->(m2:Entity)-[r2:MANIFESTS_AS]->(f2:Entity) WHERE m2.label IS NOT NULL
       | {finding: f2, route: 'mechanism', via: m2, edge: r2}] AS mechanism
UNWIND direct + mechanism AS hit
WITH cause, hit.finding AS finding, hit.route AS route, hit.via AS via, hit.edge AS r
WHERE finding.label IS NOT NULL
RETURN cause.id AS cause, finding.id AS finding, finding.label AS finding_label, route, via.id AS via,
       via.label AS via_label, r.onset AS onset, r.laterality AS laterality, r.course AS course,
       r.timing AS timing, r.context AS context
ORDER BY cause, finding, route, via
