// question: The findings that have no code of their own meaning (no exact match in xrefs to HPO or
//   ICD-10-CM; they may have close, broad or narrow matches).
// parameters: none
// returns: finding, finding_label, kind
// example: run as is.
MATCH (finding:Finding)
WHERE finding.label IS NOT NULL AND size(coalesce(finding.xrefs, [])) = 0
RETURN finding.id AS finding, finding.label AS finding_label, finding.kind AS kind
ORDER BY finding
