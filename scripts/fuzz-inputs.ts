/**
 * The input fuzzer, at length: `node --import=tsx scripts/fuzz-inputs.ts [--seed N] [--per-file N]
 * [--flags N] [--traces N] [--files N] [--only NAME] [--verbose]` mutates every shipped scenario N times (test/fuzz) and runs
 * each through `diaspora run` in this process; prints every finding (one line each) and a tally.
 * test/fuzz/inputs-fuzz.test.ts runs a small seeded sample of the same in the test suite.
 *
 * Exit code: 0 no findings, 1 findings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fuzzFlags } from '../test/fuzz/fuzz-flags.ts';
import { fuzzTraces } from '../test/fuzz/fuzz-traces.ts';
import { fuzzFiles } from '../test/fuzz/fuzz-files.ts';
import { fuzzScenarios, shippedScenarios, type Finding } from '../test/fuzz/fuzz-scenarios.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    'per-file': { type: 'string', default: '40' },
    flags: { type: 'string', default: '0' },
    traces: { type: 'string', default: '0' },
    files: { type: 'string', default: '0' },
    only: { type: 'string' },
    kinds: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const scratch = mkdtempSync(join(tmpdir(), 'diaspora-fuzz-'));
const files = shippedScenarios().filter((f) => values.only === undefined || f.includes(values.only));
const started = performance.now();
const show = (findings: readonly Finding[]) => {
  for (const f of findings) console.log(`${f.file} [${f.kind}] ${f.mutation}\n  ${f.problem}\n  ${f.message.split('\n').join('\n  ')}`);
};
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
try {
  let total = 0;
  if (Number(values['per-file']) > 0) {
    const { findings, tally } = await fuzzScenarios({
      seed: Number(values.seed),
      perFile: Number(values['per-file']),
      files,
      scratch,
      ...(values.kinds === undefined ? {} : { kinds: values.kinds.split(',') }),
      onCase: values.verbose ? (file, m, verdict, message) => process.stderr.write(`${file} ${m.kind} ${verdict}: ${m.what}\n  ${message.trimEnd().split('\n').join('\n  ')}\n`) : undefined,
    });
    show(findings);
    total += findings.length;
    console.log(`${tally.cases} mutations of ${files.length} files in ${seconds()} s: ${tally.rejected} refused at load, ${tally.buildRejected} at build, ${tally.loaded - tally.buildRejected + tally.ran} accepted; ${findings.length} findings`);
  }
  if (Number(values.flags) > 0) {
    const verbose = values.verbose ? (args: string[], code: number, stderr: string) => process.stderr.write(`exit ${code}: ${args.join(' ')}\n  ${stderr.trimEnd().split('\n').join('\n  ')}\n`) : undefined;
    const { findings, cases, refused } = await fuzzFlags(Number(values.seed), Number(values.flags), scratch, verbose);
    show(findings);
    total += findings.length;
    console.log(`${cases} command lines in ${seconds()} s: ${refused} refused; ${findings.length} findings`);
  }
  if (Number(values.traces) > 0) {
    const verbose = values.verbose ? (what: string, code: number, stderr: string) => process.stderr.write(`exit ${code}: ${what}\n  ${stderr.trimEnd().split('\n').join('\n  ')}\n`) : undefined;
    const { findings, cases, refused } = await fuzzTraces(Number(values.seed), Number(values.traces), join(scratch, 'traces'), verbose);
    show(findings);
    total += findings.length;
    console.log(`${cases} damaged inputs in ${seconds()} s: ${refused} refused; ${findings.length} findings`);
  }
  if (Number(values.files) > 0) {
    const verbose = values.verbose ? (args: string[], code: number, stderr: string) => process.stderr.write(`exit ${code}: ${args.join(' ')}\n  ${stderr.trimEnd().split('\n').join('\n  ')}\n`) : undefined;
    const { findings, cases, refused } = await fuzzFiles(Number(values.seed), Number(values.files), join(scratch, 'files'), verbose);
    show(findings);
    total += findings.length;
    console.log(`${cases} odd paths, repeated flags and cache places in ${seconds()} s: ${refused} refused; ${findings.length} findings`);
  }
  process.exitCode = total > 0 ? 1 : 0;
} finally {
  if (process.env.FUZZ_CASE === undefined) rmSync(scratch, { recursive: true, force: true });
}
