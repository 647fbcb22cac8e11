// Lints Cypher files with Neo4j's own front end (@neo4j-cypher/language-support).
// Usage: node tests/tools/cypher_lint.mjs FILE...
// Prints one JSON object per file, one per line: {"file": FILE, "diagnostics": [...]}; exits 0 when every
// file could be read and linted (the diagnostics are for the caller to judge), 2 otherwise.
import { readFileSync } from 'node:fs';
import { lintCypherQuery } from '@neo4j-cypher/language-support';

let failed = false;
for (const file of process.argv.slice(2)) {
  try {
    const text = readFileSync(file, 'utf8');
    const { diagnostics } = lintCypherQuery(text, {});
    process.stdout.write(`${JSON.stringify({ file, diagnostics })}\n`);
  } catch (error) {
    failed = true;
    process.stderr.write(`${file}: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
process.exit(failed ? 2 : 0);
