// question: Which causes lead to a finding, and by which route: `direct` (the cause presents with the
//   finding), `mechanism` (the cause acts through a mechanism that manifests as the finding; via is the
//   mechanism), `risk_factor` (the finding is a risk factor for the cause) or `chain` (the cause causes,
//   in one or more CAUSES steps, a downstream cause that reaches the finding directly or through a
//   mechanism; via is that downstream cause). Subtypes (SUBTYPE_OF) are not followed.
// parameters: finding (a finding id, null for every finding)
// returns: finding, cause, cause_label, route (direct | mechanism | risk_factor | chain), via, via_label
//   (via and via_label are empty for direct and risk_factor)
// example: finding = saddle-anesthesia

// Each route is a pattern comprehension anchored on the finding; FalkorDB needs distinct variable names
// across the comprehensions of one projection.
MATCH (finding:Entity)
WHERE $finding IS NULL OR finding.id = $finding
WITH finding,
     [(c1:Entity)-[:PRESENTS_WITH]->(finding) | {cause: c1, route: 'direct', via: null}] AS direct,
     [(c2:Entity)-[:ACTS_THROUGH]->(m2:Entity)-[:MANIFESTS_AS]->(finding)
       | {cause: c2, route: 'mechanism', via: m2}] AS mechanism,
     [(finding)-[:RISK_FACTOR_FOR]->(c3:Entity) | {cause: c3, route: 'risk_factor', via: null}] AS risk_factor,
     [(c4:Entity)-[:CAUSES*1..]->(v4:Entity)-[:PRESENTS_WITH]->(finding)
       | {cause: c4, route: 'chain', via: v4}] AS chain_direct,
     [(c5:Entity)-[:CAUSES*1..]->(v5:Entity)-[:ACTS_THROUGH]->(:Entity)-[:MANIFESTS_AS]->(finding)
       | {cause: c5, route: 'chain', via: v5}] AS chain_mechanism
UNWIND direct + mechanism + risk_factor + chain_direct + chain_mechanism AS hit
WITH DISTINCT finding, hit.cause AS cause, hit.route AS route, hit.via AS via
WHERE cause.label IS NOT NULL
RETURN finding.id AS finding, cause.id AS cause, cause.label AS cause_label, route, via.id AS via,
       via.label AS via_label
ORDER BY finding, cause, route, via
