// question: Every entity of the curated graph (not an imported one such as HPO) with its type and
//   single-valued attributes (label, definition, kind, category, urgency, action, safety net).
// parameters: none
// returns: entity, type, kind, label, definition, category, urgency, action, safety_net
// example: run as is; each row is one cause, mechanism, finding, red flag, diagnostic test, triage advice
//   or source.
MATCH (n:Entity {graph: 'curated'})
UNWIND labels(n) AS type
WITH n, type
WHERE type IN ['Cause', 'Mechanism', 'Finding', 'RedFlag', 'DiagnosticTest', 'TriageAdvice', 'Source']
  AND n.label IS NOT NULL
RETURN n.id AS entity, type, n.kind AS kind, n.label AS label, n.definition AS definition,
       n.category AS category, n.urgency AS urgency, n.action AS action, n.safety_net AS safety_net
ORDER BY entity
