// One batch of HPO annotations of one type ({type} from mapping.tsv). One relationship per phenotype.hpoa
// row, keyed by its source and line (paragraph): a disease and a term can share several rows (references,
// onsets), each with its own provenance.
UNWIND $rows AS row
MATCH (a:Entity {id: row.start})
MATCH (b:Entity {id: row.end})
MERGE (a)-[r:{type} {source: row.props.source, paragraph: row.props.paragraph}]->(b)
SET r = row.props
SET r.release = $release, r.graph = $graph
