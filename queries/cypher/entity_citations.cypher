// question: Where each curated entity's definition and attributes come from: its citations.
// parameters: none
// returns: entity, source, section, paragraph, statement
// example: run as is; add WHERE n.id = 'stroke' after the MATCH for one entity.
MATCH (n:Entity {graph: 'curated'})
UNWIND range(0, size(coalesce(n.citation_sources, [])) - 1) AS i
RETURN n.id AS entity, n.citation_sources[i] AS source, n.citation_sections[i] AS section,
       n.citation_paragraphs[i] AS paragraph, n.citation_statements[i] AS statement
ORDER BY entity, i
