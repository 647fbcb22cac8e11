// What the previous load had and this one does not: removed in the same transaction.
MATCH (a:Entity)-[r]->(b:Entity) WHERE r.release <> $release DELETE r;
MATCH (n:Entity) WHERE n.release <> $release DETACH DELETE n
