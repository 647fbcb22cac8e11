// The HPO release node: which HPO and phenotype.hpoa the graph holds (beside the curated Release node).
MERGE (r:Release {graph: 'hpo'})
SET r.release = $release, r.hpo_release = $hpo_release, r.hpoa_version = $hpoa_version,
    r.clinkg_version = $clinkg_version, r.annotations = $annotations
