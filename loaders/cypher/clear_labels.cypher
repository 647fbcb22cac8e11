// Labels are re-applied from the content on every load, so a changed kind leaves no stale label.
// {labels} is filled from ontology/mapping.tsv, never from input.
MATCH (n:Entity) WHERE n.graph = $graph REMOVE n{labels}
