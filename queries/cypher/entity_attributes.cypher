// question: The multi-valued attributes of every curated entity: synonyms, cross-references (as CURIEs), each
//   under its SKOS mapping relation (xref: an exact match), and the onset / side a red flag is restricted to.
// parameters: none
// returns: entity, attribute (synonym | xref | close_match | broad_match | narrow_match | when_onset |
//   when_laterality), value
// example: run as is; add WHERE attribute = 'xref' (after a WITH) to list every code in the graph.
MATCH (n:Entity {graph: 'curated'})
UNWIND [value IN coalesce(n.synonyms, []) | ['synonym', value]]
     + [value IN coalesce(n.xrefs, []) | ['xref', value]]
     + [value IN coalesce(n.close_matches, []) | ['close_match', value]]
     + [value IN coalesce(n.broad_matches, []) | ['broad_match', value]]
     + [value IN coalesce(n.narrow_matches, []) | ['narrow_match', value]]
     + [value IN coalesce(n.when_onset, []) | ['when_onset', value]]
     + [value IN coalesce(n.when_laterality, []) | ['when_laterality', value]] AS pair
RETURN n.id AS entity, pair[0] AS attribute, pair[1] AS value
ORDER BY entity, attribute, value
