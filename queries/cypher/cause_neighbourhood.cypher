// question: A cause and everything one hop away from it: its mechanisms, findings, tests, the causes it
//   causes or is caused by, its subtypes, its risk factors and the red flags that raise concern for it,
//   as paths to draw (Neo4j Browser: `:param cause => 'stroke'`).
// parameters: cause (a cause id, null for every cause)
// returns: path (one path of one relationship per neighbour, in either direction)
// example: cause = stroke
// browser: true
MATCH path = (cause:Cause)-[]-(:Entity)
WHERE $cause IS NULL OR cause.id = $cause
RETURN path
