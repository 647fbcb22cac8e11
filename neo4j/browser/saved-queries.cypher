// clinkg: saved queries for Neo4j Browser (the snippets of guide.html, same order).
// Each query is preceded by its `// name:` line; paste one into the editor and star it to keep it
// as a favourite. Read-only: `cypher-shell -f saved-queries.cypher` runs them all.

// name: clinkg: schema
CALL db.schema.visualization();

// name: clinkg: nodes per label
MATCH (n:Entity)
UNWIND labels(n) AS label
WITH label WHERE label <> 'Entity'
RETURN label, count(*) AS nodes
ORDER BY nodes DESC, label;

// name: clinkg: relationships per type
MATCH (:Entity)-[r]->(:Entity)
RETURN type(r) AS type, count(*) AS relationships
ORDER BY relationships DESC, type;

// name: clinkg: whole graph
MATCH p = (:Entity)-->(:Entity)
RETURN p;

// name: clinkg: loaded release
MATCH (r:Release {graph: 'curated'})
RETURN r.content_hash AS content_hash, r.clinkg_version AS clinkg_version;

// name: clinkg: mechanisms by category
MATCH (m:Mechanism)
OPTIONAL MATCH (c:Cause)-[:ACTS_THROUGH]->(m)
RETURN m.category AS category, m.label AS mechanism, collect(c.label) AS causes
ORDER BY category, mechanism;

// name: clinkg: nerve and muscle mechanisms
MATCH p = (:Cause)-[:ACTS_THROUGH]->(m:Mechanism)
WHERE m.category IN ['nerve', 'muscle']
RETURN p;

// name: clinkg: stroke, one step
MATCH p = (:Cause {id: 'stroke'})--(:Entity)
RETURN p;

// name: clinkg: stroke, through its mechanisms
MATCH p = (:Cause {id: 'stroke'})-[:ACTS_THROUGH]->(:Mechanism)-[:MANIFESTS_AS]->(:Finding)
RETURN p;

// name: clinkg: stroke, attributes
MATCH (c:Cause {id: 'stroke'})
RETURN c.curie AS curie, c.label AS label, labels(c) AS labels, c.kind AS kind,
       c.urgency AS urgency, c.synonyms AS synonyms, c.xrefs AS xrefs,
       c.definition AS definition;

// name: clinkg: leg weakness, every route
MATCH p = (:Cause)-[:CAUSES*0..3]->(:Cause)-[:PRESENTS_WITH]->(:Finding {id: 'leg-weakness'})
RETURN p
UNION
MATCH p = (:Cause)-[:CAUSES*0..3]->(:Cause)-[:ACTS_THROUGH]->(:Mechanism)-[:MANIFESTS_AS]->(:Finding {id: 'leg-weakness'})
RETURN p
UNION
MATCH p = (:Finding {id: 'leg-weakness'})-[:RISK_FACTOR_FOR]->(:Cause)
RETURN p;

// name: clinkg: saddle anesthesia, causes by route
MATCH (f:Finding {id: 'saddle-anesthesia'})
CALL (f) {
  MATCH (c:Cause)-[:PRESENTS_WITH]->(f)
  RETURN c, 'direct' AS route, null AS via
  UNION
  MATCH (c:Cause)-[:ACTS_THROUGH]->(m:Mechanism)-[:MANIFESTS_AS]->(f)
  RETURN c, 'mechanism' AS route, m AS via
  UNION
  MATCH (f)-[:RISK_FACTOR_FOR]->(c:Cause)
  RETURN c, 'risk_factor' AS route, null AS via
  UNION
  MATCH (c:Cause)-[:CAUSES*1..5]->(d:Cause)
  WHERE EXISTS { (d)-[:PRESENTS_WITH]->(f) }
     OR EXISTS { (d)-[:ACTS_THROUGH]->(:Mechanism)-[:MANIFESTS_AS]->(f) }
  RETURN c, 'chain' AS route, d AS via
}
RETURN c.label AS cause, route, via.label AS via
ORDER BY cause, route, via;

// name: clinkg: saddle anesthesia, drawn
MATCH p = (:Cause)-[:ACTS_THROUGH]->(:Mechanism)-[:MANIFESTS_AS]->(:Finding {id: 'saddle-anesthesia'})
RETURN p
UNION
MATCH p = (:Cause)-[:PRESENTS_WITH]->(:Finding {id: 'saddle-anesthesia'})
RETURN p
UNION
MATCH p = (:RedFlag)-[:HAS_CRITERION]->(:Finding {id: 'saddle-anesthesia'})
RETURN p;

// name: clinkg: diuretics, causal chain
MATCH p = (:Cause {id: 'diuretics'})-[:CAUSES*1..3]->(:Cause)
RETURN p;

// name: clinkg: diuretics, down to findings
MATCH p = (:Cause {id: 'diuretics'})-[:CAUSES*1..3]->(:Cause)-[:ACTS_THROUGH]->(:Mechanism)-[:MANIFESTS_AS]->(:Finding)
RETURN p;

// name: clinkg: every causal chain
MATCH p = (:Cause)-[:CAUSES*1..3]->(:Cause)
RETURN [n IN nodes(p) | n.label] AS chain, length(p) AS steps
ORDER BY steps DESC, chain;

// name: clinkg: red flags, drawn
MATCH p = (:RedFlag)-[:HAS_CRITERION|RAISES_CONCERN_FOR]->(:Entity)
RETURN p;

// name: clinkg: red flags, criteria
MATCH (rf:RedFlag)-[h:HAS_CRITERION]->(f:Finding)
WITH rf, h.criterion_group AS criterion_group, collect(f.label) AS findings
OPTIONAL MATCH (rf)-[:RAISES_CONCERN_FOR]->(c:Cause)
RETURN rf.label AS red_flag, rf.urgency AS urgency, criterion_group, findings,
       rf.when_onset AS onset, rf.when_laterality AS laterality,
       collect(c.label) AS concern_for, rf.action AS action
ORDER BY red_flag, criterion_group;

// name: clinkg: red flags of saddle anesthesia
MATCH (rf:RedFlag)-[:HAS_CRITERION]->(:Finding {id: 'saddle-anesthesia'})
MATCH p = (rf)-[:HAS_CRITERION|RAISES_CONCERN_FOR]->(:Entity)
RETURN p;

// name: clinkg: tests separating stroke and peripheral neuropathy
WITH ['stroke', 'peripheral-neuropathy'] AS pair
MATCH (favours:Cause) WHERE favours.id IN pair
WITH favours, [id IN pair WHERE id <> favours.id][0] AS other
CALL (favours, other) {
  MATCH (favours)-[:EVALUATED_BY]->(t:DiagnosticTest)
  WHERE NOT EXISTS { (:Cause {id: other})-[:EVALUATED_BY]->(t) }
  RETURN t, 'evaluated_by' AS reason, null AS mechanism
  UNION
  MATCH (favours)-[:ACTS_THROUGH]->(m:Mechanism)<-[:ASSESSES]-(t:DiagnosticTest)
  WHERE NOT EXISTS { (:Cause {id: other})-[:ACTS_THROUGH]->(m) }
  RETURN t, 'mechanism' AS reason, m AS mechanism
}
RETURN t.label AS test, t.category AS category, favours.label AS favours, reason,
       mechanism.label AS mechanism
ORDER BY test, favours, reason;

// name: clinkg: tests of stroke and peripheral neuropathy, drawn
MATCH p = (c:Cause)-[:EVALUATED_BY]->(:DiagnosticTest)
WHERE c.id IN ['stroke', 'peripheral-neuropathy']
RETURN p
UNION
MATCH p = (c:Cause)-[:ACTS_THROUGH]->(:Mechanism)<-[:ASSESSES]-(:DiagnosticTest)
WHERE c.id IN ['stroke', 'peripheral-neuropathy']
RETURN p;

// name: clinkg: what EMG assesses
MATCH p = (:DiagnosticTest {id: 'emg'})-[:ASSESSES]->(:Entity)
RETURN p
UNION
MATCH p = (:DiagnosticTest {id: 'emg'})-[:ASSESSES]->(:Mechanism)<-[:ACTS_THROUGH]-(:Cause)
RETURN p;

// name: clinkg: provenance of stroke to leg weakness
MATCH (s:Entity {id: 'stroke'})-[r]->(o:Entity {id: 'leg-weakness'})
OPTIONAL MATCH (src:Source {id: r.source})
RETURN s.label AS subject, type(r) AS predicate, o.label AS object,
       r.source AS source, src.title AS title, r.section AS section,
       r.paragraph AS paragraph, r.statement AS statement,
       r.onset AS onset, r.laterality AS laterality, r.course AS course;

// name: clinkg: provenance along a causal chain
MATCH p = (:Cause {id: 'diuretics'})-[:CAUSES*1..3]->(:Cause {id: 'dehydration'})
UNWIND relationships(p) AS r
RETURN startNode(r).label AS subject, type(r) AS predicate, endNode(r).label AS object,
       r.source AS source, r.section AS section, r.paragraph AS paragraph,
       r.statement AS statement;

// name: clinkg: citations of stroke
MATCH (e:Entity {id: 'stroke'})
UNWIND range(0, size(e.citation_sources) - 1) AS i
RETURN e.label AS entity, e.citation_sources[i] AS source,
       e.citation_sections[i] AS section, e.citation_paragraphs[i] AS paragraph,
       e.citation_statements[i] AS statement;
