// One batch of removal: HPO nodes, with their relationships, of every release not in $keep (the one
// readers see, and the one being loaded). Run until it deletes nothing: one transaction per batch.
MATCH (n:Entity {graph: 'hpo'})
WHERE NOT n.release IN $keep
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS deleted
