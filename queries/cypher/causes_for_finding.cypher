// question: Which causes a finding supports in the differential, and by which first step: the finding
//   (or a general finding it is a form of, FORM_OF) is shown by a cause directly (`direct`: the cause
//   presents with it), through a mechanism (`mechanism`: the cause acts through a mechanism that
//   manifests as it) or is a risk factor for a cause (`risk_factor`); from the cause so reached, up to
//   three steps climb to causes upstream (CAUSES) or descend to subtypes (SUBTYPE_OF). This is the walk
//   the differential makes in Python (service/ranking/paths.py, three steps being max_chain_depth of
//   ranking_weights.yaml); tests/integration/test_query_library.py holds the two to the same answer.
// parameters: finding (a finding id, null for every finding)
// returns: finding, cause, cause_label, route (direct | mechanism | risk_factor), reached, reached_label
//   (reached: the cause the first step reached; the cause itself when no chain or subtype step follows)
// example: finding = saddle-anesthesia

// Each first step is a pattern comprehension anchored on a form of the finding; FalkorDB needs distinct
// variable names across the comprehensions of one projection.
MATCH (finding:Entity)-[:FORM_OF*0..]->(shown:Entity)
WHERE $finding IS NULL OR finding.id = $finding
WITH finding, shown,
     [(c1:Entity)-[:PRESENTS_WITH]->(shown) | {reached: c1, route: 'direct'}] AS direct,
     [(c2:Entity)-[:ACTS_THROUGH]->(:Entity)-[:MANIFESTS_AS]->(shown) | {reached: c2, route: 'mechanism'}]
       AS mechanism,
     [(shown)-[:RISK_FACTOR_FOR]->(c3:Entity) | {reached: c3, route: 'risk_factor'}] AS risk_factor
UNWIND direct + mechanism + risk_factor AS hit
WITH DISTINCT finding, hit.reached AS reached, hit.route AS route
MATCH (cause:Entity)-[:CAUSES|SUBTYPE_OF*0..3]->(reached)
WITH DISTINCT finding, cause, route, reached
WHERE cause.label IS NOT NULL
RETURN finding.id AS finding, cause.id AS cause, cause.label AS cause_label, route, reached.id AS reached,
       reached.label AS reached_label
ORDER BY finding, cause, route, reached
