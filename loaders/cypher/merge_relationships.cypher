// One batch of relationships of one type ({type} from mapping.tsv); properties replaced as a whole.
UNWIND $rows AS row
MATCH (a:Entity {id: row.start})
MATCH (b:Entity {id: row.end})
MERGE (a)-[r:{type}]->(b)
SET r = row.props
SET r.release = $release, r.graph = $graph
