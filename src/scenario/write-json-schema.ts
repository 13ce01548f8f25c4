/**
 * `npm run schema`: writes `scenarios/schema.json` from the zod schema; with `--check`, only
 * compares and exits 1 when the committed file is stale (for CI).
 *
 * Run as `node --import=tsx src/scenario/write-json-schema.ts [--check]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { packageFile } from '../package-layout.ts';
import { SCHEMA_FILE, renderScenarioJsonSchema } from './json-schema.ts';

const target = fileURLToPath(packageFile(SCHEMA_FILE));
const text = renderScenarioJsonSchema();

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // A missing file is simply stale.
  }
  if (current !== text) {
    process.stderr.write(`${SCHEMA_FILE} is out of date; run npm run schema\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${SCHEMA_FILE} is up to date\n`);
  }
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
