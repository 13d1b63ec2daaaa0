// Closes a .ci/run: the full name of every failing Jest test (from each package's --json
// results), then one line summed over every package's Jest summary in the log.
// Usage: node .ci/report.mjs <log file> <directory of Jest JSON results>
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const [logFile, resultsDir] = process.argv.slice(2);
const log = readFileSync(logFile, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');

/** Every *.json below `dir`, e.g. `@nexus/core.json`. */
function jsonFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? jsonFiles(join(dir, entry.name)) : entry.name.endsWith('.json') ? [join(dir, entry.name)] : [],
  );
}

const failing = [];
for (const file of jsonFiles(resultsDir).sort()) {
  const pkg = relative(resultsDir, file).replace(/\.json$/, '');
  let results;
  try {
    results = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    failing.push(`${pkg}: unreadable Jest results (${error.message})`);
    continue;
  }
  for (const suite of results.testResults ?? []) {
    const where = relative(process.cwd(), suite.name);
    const failed = (suite.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failed) failing.push(`${pkg} ${where} › ${[...(test.ancestorTitles ?? []), test.title].join(' › ')}`);
    // A suite that failed without a failing test did not run at all (an import or set-up error).
    if (failed.length === 0 && suite.status === 'failed') {
      const reason = String(suite.message ?? '')
        .replace(/\x1b\[[0-9;]*m/g, '')
        .split('\n')
        .map((line) => line.trim())
        .find((line) => line !== '' && !line.includes('Test suite failed to run'));
      failing.push(`${pkg} ${where} › (the suite did not run) ${reason ?? ''}`.trim());
    }
  }
}
if (failing.length > 0) {
  console.log(`\nFailing tests (${failing.length}):`);
  for (const line of failing) console.log(`  FAIL ${line}`);
}

let passed = 0;
let failed = 0;
let summaries = 0;
for (const match of log.matchAll(/Tests:\s+(.*?)\d+ total/g)) {
  summaries++;
  passed += Number(/(\d+) passed/.exec(match[1])?.[1] ?? 0);
  failed += Number(/(\d+) failed/.exec(match[1])?.[1] ?? 0);
}
if (summaries === 0) {
  console.error('no Jest summary found');
  process.exit(1);
}
console.log(`${passed} passed, ${failed} failed`);
