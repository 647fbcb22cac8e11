// question: The routes from the causes to a finding, as paths to draw: the cause presents with the
//   finding, or acts through a mechanism that manifests as it, and the causes that lead to such a cause
//   through a causal chain of up to 3 CAUSES steps (Neo4j Browser: `:param finding => 'leg-weakness'`).
// parameters: finding (a finding id, null for every finding)
// returns: path (cause -> finding, cause -> mechanism -> finding, or cause -> ... -> cause -> [mechanism
//   ->] finding)
// example: finding = saddle-anesthesia
// browser: true
MATCH path = (:Cause)-[:CAUSES*0..3]->(:Cause)-[:PRESENTS_WITH]->(finding:Finding)
WHERE $finding IS NULL OR finding.id = $finding
RETURN path
UNION
MATCH path = (:Cause)-[:CAUSES*0..3]->(:Cause)-[:ACTS_THROUGH]->(:Mechanism)-[:MANIFESTS_AS]->(finding:Finding)
WHERE $finding IS NULL OR finding.id = $finding
RETURN path
