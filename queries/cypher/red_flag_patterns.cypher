// question: A red flag's pattern, as paths to draw: the red flag, the findings among its criteria (the
//   relationship's criterion_group says all_of, any_of or supporting) and the causes it raises concern
//   for (Neo4j Browser: `:param red_flag => 'rf-cauda-equina-syndrome'`).
// parameters: red_flag (a red flag id, null for every red flag)
// returns: path (red flag -> criterion finding, red flag -> cause of concern)
// example: red_flag = rf-cauda-equina-syndrome
// browser: true
MATCH path = (red_flag:RedFlag)-[:HAS_CRITERION|RAISES_CONCERN_FOR]->(:Entity)
WHERE $red_flag IS NULL OR red_flag.id = $red_flag
RETURN path
