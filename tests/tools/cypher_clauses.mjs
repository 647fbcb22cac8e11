// Neo4j's own Cypher front end (@neo4j-cypher/language-support) as a line-by-line service for tests.
// Usage: node tests/tools/cypher_clauses.mjs
// Reads one JSON object per line on stdin, {"query": TEXT, "lint": BOOLEAN}; writes one per line:
// {"rules": [...], "errors": [...]}: the names of the parser rules in the query's parse tree
// (createClause, callClause, command, ...), and, when asked (linting takes ~0.1 s), the messages of the
// linter's errors, syntax and semantic: none means Neo4j's front end accepts the query.
import { createInterface } from 'node:readline';
import { getDebugTree, lintCypherQuery } from '@neo4j-cypher/language-support';

function ruleNames(tree) {
  const found = new Set();
  const pending = [tree];
  while (pending.length > 0) {
    const node = pending.pop();
    // Terminals (tokens) have no children; only rules do.
    if (node.children && node.children.length > 0) {
      found.add(node.name);
      pending.push(...node.children);
    }
  }
  return [...found].sort();
}

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() === '') continue;
  let answer;
  try {
    const { query, lint } = JSON.parse(line);
    answer = { rules: ruleNames(getDebugTree(query)) };
    if (lint) {
      answer.errors = lintCypherQuery(query, {})
        .diagnostics.filter((d) => d.severity === 1)
        .map((d) => d.message);
    }
  } catch (error) {
    answer = { failure: error instanceof Error ? error.message : String(error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
