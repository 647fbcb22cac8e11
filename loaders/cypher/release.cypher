// The one release node: which content the graph holds.
MERGE (r:Release {graph: 'curated'})
SET r.release = $release, r.content_hash = $content_hash, r.clinkg_version = $clinkg_version
