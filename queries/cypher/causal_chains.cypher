// question: Every causal chain through CAUSES from a start cause to an end cause, of fixed depth 1, 2
//   or 3 steps (explicit patterns, not a variable-length pattern: longer chains are not listed), with the
//   intermediate causes in order. Only simple chains: no cause appears twice in one chain.
// parameters: start (a cause id, only chains starting there, null for every chain)
// returns: start, start_label, step1, step1_label, step2, step2_label, end, end_label, length (1, 2 or 3;
//   step1 is empty for length 1, step2 for lengths 1 and 2)
// example: start = diuretics
MATCH (start:Entity)
WHERE ($start IS NULL OR start.id = $start) AND start.label IS NOT NULL
WITH start,
     [(start)-[:CAUSES]->(e1:Entity) WHERE e1 <> start
       | {step1: null, step2: null, last: e1, length: 1}] AS one,
     [(start)-[:CAUSES]->(a2:Entity)-[:CAUSES]->(e2:Entity) WHERE e2 <> start AND a2.label IS NOT NULL
       | {step1: a2, step2: null, last: e2, length: 2}] AS two,
     [(start)-[:CAUSES]->(a3:Entity)-[:CAUSES]->(b3:Entity)-[:CAUSES]->(e3:Entity)
       WHERE e3 <> start AND b3 <> start AND a3 <> e3 AND a3.label IS NOT NULL AND b3.label IS NOT NULL
       | {step1: a3, step2: b3, last: e3, length: 3}] AS three
UNWIND one + two + three AS chain
WITH start, chain.step1 AS step1, chain.step2 AS step2, chain.last AS last, chain.length AS length
WHERE last.label IS NOT NULL
RETURN start.id AS start, start.label AS start_label, step1.id AS step1, step1.label AS step1_label,
       step2.id AS step2, step2.label AS step2_label, last.id AS `end`, last.label AS end_label, length
ORDER BY start, length, step1, step2, `end`
