// FalkorDB (tests only): an index on entity ids; it has no IF NOT EXISTS, so an existing index is fine.
CREATE INDEX FOR (n:Entity) ON (n.id)
