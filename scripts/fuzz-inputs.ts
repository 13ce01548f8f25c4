/**
 * The input fuzzer, at length: `node --import=tsx scripts/fuzz-inputs.ts [--seed N] [--per-file N]
 * [--dist] [--only NAME] [--verbose]` mutates every shipped scenario N times (test/fuzz) and runs
 * each through `diaspora run` in this process; prints every finding (one line each) and a tally.
 * test/fuzz/inputs-fuzz.test.ts runs a small seeded sample of the same in the test suite.
 *
 * Exit code: 0 no findings, 1 findings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCli } from '../test/fuzz/harness.ts';
import { fuzzScenarios, shippedScenarios } from '../test/fuzz/fuzz-scenarios.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    'per-file': { type: 'string', default: '40' },
    dist: { type: 'boolean', default: false },
    only: { type: 'string' },
    kinds: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

await loadCli(values.dist);
const scratch = mkdtempSync(join(tmpdir(), 'diaspora-fuzz-'));
const files = shippedScenarios().filter((f) => values.only === undefined || f.includes(values.only));
const started = performance.now();
try {
  const { findings, tally } = await fuzzScenarios({
    seed: Number(values.seed),
    perFile: Number(values['per-file']),
    files,
    scratch,
    ...(values.kinds === undefined ? {} : { kinds: values.kinds.split(',') }),
    onCase: values.verbose ? (file, m, verdict, message) => process.stderr.write(`${file} ${m.kind} ${verdict}: ${m.what}\n  ${message.trimEnd().split('\n').join('\n  ')}\n`) : undefined,
  });
  for (const f of findings) console.log(`${f.file} [${f.kind}] ${f.mutation}\n  ${f.problem}\n  ${f.message.split('\n').join('\n  ')}`);
  console.log(`${tally.cases} mutations of ${files.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s: ${tally.rejected} refused at load, ${tally.buildRejected} at build, ${tally.loaded - tally.buildRejected} accepted; ${findings.length} findings`);
  process.exitCode = findings.length > 0 ? 1 : 0;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
