// One batch of nodes sharing the same labels; properties replaced as a whole ({labels} from mapping.tsv).
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n = row.props
SET n{labels}
SET n.release = $release, n.graph = $graph
