// The HPO release readers see now: the one the (:Release {graph: 'hpo'}) node points at (none before the
// first load).
OPTIONAL MATCH (r:Release {graph: 'hpo'})
RETURN r.release AS release
