// question: How big the graph is: the number of entities under each label of the property graph (an
//   entity counts under every label it carries, so Entity counts every curated entity and Cause every
//   condition, exposure and medication), and the number of assertions (relationships) per type.
// parameters: none
// returns: counted (entities | assertions), type (a label or relationship type), label, total
// example: run as is.

// The property graph holds no ontology labels: `label` is spelled from the name, as the ontology spells it
// (DiagnosticTest -> "diagnostic test", PRESENTS_WITH -> "presents with"). Abstract ontology classes that
// mapping.tsv gives no label (ckg:Observable) are not in the property graph and are not counted.
MATCH (n:Entity)
WITH n, [(n)-[r1]->(:Entity) | r1] AS outgoing
UNWIND [name IN labels(n) | {counted: 'entities', type: name}]
     + [r IN outgoing | {counted: 'assertions', type: type(r)}] AS item
WITH item.counted AS counted, item.type AS type, count(*) AS total
RETURN counted, type,
       CASE counted
         WHEN 'assertions' THEN toLower(replace(type, '_', ' '))
         ELSE reduce(words = '', i IN range(0, size(type) - 1) |
                words + CASE WHEN i > 0 AND substring(type, i, 1) <> toLower(substring(type, i, 1))
                             THEN ' ' ELSE '' END + toLower(substring(type, i, 1)))
       END AS label,
       total
ORDER BY counted, type
