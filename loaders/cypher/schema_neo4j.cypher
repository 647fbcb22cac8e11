// Uniqueness of entity ids and lookup indexes; run before the data transaction (Neo4j forbids mixing).
CREATE CONSTRAINT clinkg_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;
CREATE INDEX clinkg_entity_label IF NOT EXISTS FOR (n:Entity) ON (n.label);
CREATE CONSTRAINT clinkg_release_graph IF NOT EXISTS FOR (r:Release) REQUIRE r.graph IS UNIQUE
