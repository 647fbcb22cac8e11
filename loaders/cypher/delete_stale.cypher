// What the previous load of this graph (curated, hpo) had and this one does not: removed in the same
// transaction. Another graph's nodes and relationships are left alone.
MATCH (a:Entity)-[r]->(b:Entity) WHERE r.graph = $graph AND r.release <> $release DELETE r;
MATCH (n:Entity) WHERE coalesce(n.graph, $graph) = $graph AND n.release <> $release DETACH DELETE n
