// question: The diagnostic tests that evaluate a cause, with each test's category and every mechanism or
//   finding the test assesses; `relevant` is true when that mechanism is one the cause acts through or
//   that finding one it presents with (directly or through one of its mechanisms), false otherwise.
// parameters: cause (a cause id, null for every cause)
// returns: cause, test, test_label, category, assesses, assesses_label, relevant (assesses and
//   assesses_label are empty, relevant false, for a test that assesses nothing in the graph)
// example: cause = guillain-barre-syndrome
MATCH (cause:Entity)-[:EVALUATED_BY]->(test:Entity)
WHERE ($cause IS NULL OR cause.id = $cause) AND test.label IS NOT NULL AND test.category IS NOT NULL
OPTIONAL MATCH (test)-[:ASSESSES]->(assesses:Entity)
WITH cause, test, assesses,
     [(cause)-[:ACTS_THROUGH]->(m1:Entity) | m1.id]
     + [(cause)-[:PRESENTS_WITH]->(f2:Entity) | f2.id]
     + [(cause)-[:ACTS_THROUGH]->(:Entity)-[:MANIFESTS_AS]->(f3:Entity) | f3.id] AS reached
RETURN cause.id AS cause, test.id AS test, test.label AS test_label, test.category AS category,
       assesses.id AS assesses, assesses.label AS assesses_label,
       assesses IS NOT NULL AND assesses.id IN reached AS relevant
ORDER BY cause, test, assesses
