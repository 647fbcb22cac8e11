// question: The red flags that have a finding among their criteria, with the criterion group the finding
//   belongs to (all_of | any_of | supporting), the red flag's urgency and action, and the cause it raises
//   concern for. The onsets and sides a red flag is restricted to are in entity_attributes.
// parameters: finding (a finding id, null for every finding)
// returns: finding, red_flag, red_flag_label, criterion_group, urgency, action, concern, concern_label
// example: finding = saddle-anesthesia
MATCH (red_flag:RedFlag)-[criterion:HAS_CRITERION]->(finding:Entity)
WHERE ($finding IS NULL OR finding.id = $finding)
  AND red_flag.label IS NOT NULL AND red_flag.urgency IS NOT NULL AND red_flag.action IS NOT NULL
  AND criterion.criterion_group IS NOT NULL
OPTIONAL MATCH (red_flag)-[:RAISES_CONCERN_FOR]->(concern:Entity)
RETURN finding.id AS finding, red_flag.id AS red_flag, red_flag.label AS red_flag_label,
       criterion.criterion_group AS criterion_group, red_flag.urgency AS urgency, red_flag.action AS action,
       concern.id AS concern, concern.label AS concern_label
ORDER BY finding, red_flag, concern
