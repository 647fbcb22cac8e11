// question: The diagnostic tests that help tell two causes apart. A test separates `cause` from `other`
//   when (reason `evaluated_by`) it evaluates exactly one of the two (EVALUATED_BY from one and not from
//   the other), or (reason `mechanism`) it assesses a mechanism that exactly one of the two acts through
//   (ACTS_THROUGH from one and not from the other), whatever else the test assesses. `favours` is the
//   cause of the two that the test evaluates or whose mechanism it assesses; `mechanism` is that mechanism
//   (empty for evaluated_by). A test may appear once per reason, mechanism and side.
// parameters: cause (a cause id); other (a second cause id, both null for every ordered pair of distinct
//   causes that the graph records a test or a mechanism for: a cause with neither, such as an
//   imported HPO disease, has nothing to be told apart by)
// returns: cause, other, test, test_label, category, favours, reason (evaluated_by | mechanism),
//   mechanism, mechanism_label
// example: cause = stroke; other = peripheral-neuropathy

// Each ordered pair is looked at from both sides: `favours` is the cause the test speaks for, `against`
// the other one. What `against` has is collected as ids first (FalkorDB runs no pattern predicate inside
// a pattern comprehension, nor a pattern comprehension inside WHERE).
MATCH (cause:Cause)
WHERE $cause IS NULL OR cause.id = $cause
WITH cause, size([(cause)-[:EVALUATED_BY|ACTS_THROUGH]->(x:Entity) | x]) AS cause_links
WHERE cause_links > 0
MATCH (other:Cause)
WHERE other <> cause AND ($other IS NULL OR other.id = $other)
WITH cause, other, size([(other)-[:EVALUATED_BY|ACTS_THROUGH]->(y:Entity) | y]) AS other_links
WHERE other_links > 0
UNWIND [[cause, other], [other, cause]] AS side
WITH cause, other, side[0] AS favours, side[1] AS against
WITH cause, other, favours,
     [(favours)-[:EVALUATED_BY]->(t1:Entity) | t1] AS favours_tests,
     [(favours)-[:ACTS_THROUGH]->(m2:Entity)<-[:ASSESSES]-(t2:Entity) | {test: t2, mechanism: m2}] AS assessed,
     [(against)-[:EVALUATED_BY]->(t3:Entity) | t3.id] AS against_tests,
     [(against)-[:ACTS_THROUGH]->(m4:Entity) | m4.id] AS against_mechanisms
UNWIND [test IN favours_tests WHERE NOT test.id IN against_tests
         | {test: test, reason: 'evaluated_by', mechanism: null}]
     + [hit IN assessed WHERE NOT hit.mechanism.id IN against_mechanisms AND hit.mechanism.label IS NOT NULL
         | {test: hit.test, reason: 'mechanism', mechanism: hit.mechanism}] AS hit
WITH DISTINCT cause, other, hit.test AS test, favours, hit.reason AS reason, hit.mechanism AS mechanism
WHERE test.label IS NOT NULL AND test.category IS NOT NULL
RETURN cause.id AS cause, other.id AS other, test.id AS test, test.label AS test_label,
       test.category AS category, favours.id AS favours, reason, mechanism.id AS mechanism,
       mechanism.label AS mechanism_label
ORDER BY cause, other, test, reason, favours, mechanism
