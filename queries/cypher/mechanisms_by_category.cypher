// question: The mechanisms grouped by category (nerve, muscle, circulation, cns and the systemic ones),
//   each with the causes that act through it.
// parameters: none
// returns: category, mechanism, mechanism_label, cause, cause_label (cause and cause_label are empty for a
//   mechanism no cause acts through)
// example: run as is; add AND mechanism.category = 'nerve' to the WHERE for one category.
MATCH (mechanism:Mechanism)
WHERE mechanism.category IS NOT NULL AND mechanism.label IS NOT NULL
OPTIONAL MATCH (cause:Entity)-[:ACTS_THROUGH]->(mechanism)
RETURN mechanism.category AS category, mechanism.id AS mechanism, mechanism.label AS mechanism_label,
       cause.id AS cause, cause.label AS cause_label
ORDER BY category, mechanism, cause
