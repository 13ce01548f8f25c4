/**
 * The scenario fuzzer: every shipped scenario (scenarios/, scenarios/drills/, examples/) mutated
 * (mutate-scenario.ts) and given to `diaspora run`, in this process; each outcome judged
 * (harness.ts). A mutation the loader accepts is also built into a world (not run), the way a
 * study checks its cells before running any, so a mistake only the world's build finds is judged
 * as well; a few accepted ones (`runs`) are run in full.
 *
 * Guarantee: the same seed and counts give the same cases and, on the same code, the same
 * findings. How it fails: it does not throw for a finding — it returns them, one line each.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, TraceWriter } from '../../src/kernel/index.ts';
import { buildRun, loadScenarioAsync } from '../../src/scenario/index.ts';
import { inputErrorText, inScenario } from '../../src/cli/exit.ts';
import { cli, halfWritten, judgeRefusal, type Outcome } from './harness.ts';
import { mutate, type Mutation } from './mutate-scenario.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every scenario file we ship. */
export function shippedScenarios(): string[] {
  const yaml = (dir: string) => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.yaml')).map((f) => join(ROOT, dir, f));
  return [...yaml('scenarios'), ...yaml('scenarios/drills'), ...yaml('examples/token-ring')].sort();
}

export interface Finding {
  readonly file: string;
  readonly mutation: string;
  readonly kind: string;
  readonly problem: string;
  readonly message: string;
}

export interface Tally {
  cases: number;
  rejected: number;
  loaded: number;
  buildRejected: number;
  ran: number;
}

/** The budget message: the scenario loaded and was only too big for `--max-events 1`. */
const BUDGET = /the run would take about|passed its budget|more memory than/;

/** What the refusal of a must-reject (or possibly rejected) mutation must look like. */
function judgeMutation(m: Mutation, r: Outcome, file: string, out: string, source: string): string[] {
  const input = m.bytes.toString('latin1') + source;
  // File-level refusals (empty, binary, UTF-16) still carry :1; a missing file carries none.
  return judgeRefusal(r, { file, line: true, input, out });
}

/** Builds a loaded scenario's world without running it; the message a build refusal gives, or undefined. */
async function buildMessage(path: string, text: string): Promise<{ message?: string; internal?: string }> {
  const NO_REFERENCE = new Error('no reference');
  try {
    const scenario = await loadScenarioAsync(text, path);
    buildRun(scenario, { seed: scenario.seed, trace: new TraceWriter(), recall: () => { throw NO_REFERENCE; } });
    return {};
  } catch (error) {
    if (error === NO_REFERENCE) return {};
    const located = inScenario(error, path, text);
    if (located instanceof InputError) return { message: inputErrorText(located, false) };
    return { internal: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

export interface ScenarioFuzzOptions {
  readonly seed: number;
  /** Mutations per scenario file. */
  readonly perFile: number;
  readonly files?: readonly string[];
  readonly scratch: string;
  readonly kinds?: readonly string[];
  /** Accepted mutations of these files (basenames) to run in full, at most this many in all. */
  readonly runs?: { readonly files: readonly string[]; readonly count: number };
  readonly onCase?: (file: string, m: Mutation, verdict: string, message: string) => void;
}

export async function fuzzScenarios(options: ScenarioFuzzOptions): Promise<{ findings: Finding[]; tally: Tally }> {
  const findings: Finding[] = [];
  const tally: Tally = { cases: 0, rejected: 0, loaded: 0, buildRejected: 0, ran: 0 };
  let runsLeft = options.runs?.count ?? 0;
  for (const original of options.files ?? shippedScenarios()) {
    const name = basename(original, '.yaml');
    // Plug-ins are named relative to the scenario: name them absolutely so the copy finds them.
    const raw = readFileSync(original, 'utf8').replace(/plugins: \[\.\/([^\]]+)\]/, (_, p: string) => `plugins: [${resolve(dirname(original), p)}]`);
    const dir = join(options.scratch, name);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < options.perFile; i++) {
      const m = mutate(raw, options.seed, i, options.kinds);
      const file = join(dir, `m${i}.yaml`);
      const out = join(dir, `out${i}`);
      writeFileSync(file, m.bytes);
      tally.cases++;
      const found = (problem: string, message: string) => findings.push({ file: `${name}#${i}`, mutation: m.what, kind: m.kind, problem, message: message.trimEnd() });
      const r = await cli(['run', file, '--out', out, '--max-events', '1', '--quiet']);
      let verdict: string;
      if (r.code === 2 && BUDGET.test(r.stderr)) {
        tally.loaded++;
        verdict = 'loaded';
        for (const p of halfWritten(out)) found(p, r.stderr);
        const built = await buildMessage(file, m.bytes.toString('utf8'));
        if (built.internal !== undefined) found('the world build crashed', built.internal);
        else if (built.message !== undefined) {
          tally.buildRejected++;
          verdict = 'build-rejected';
          if (m.expect === 'accept') found('a mutation that changes nothing was refused', built.message);
          for (const p of judgeRefusal({ code: 2, stdout: '', stderr: `${built.message}\n` }, { file, line: true, input: m.bytes.toString('latin1') + raw })) found(p, built.message);
        } else {
          if (m.expect === 'reject') found('accepted a mutation that must be refused', '');
          if (runsLeft > 0 && options.runs!.files.includes(basename(original))) {
            runsLeft--;
            const full = await cli(['run', file, '--out', join(dir, `full${i}`), '--quiet']);
            tally.ran++;
            // A refusal found only while running (e.g. a send between sites no link joins) is bad
            // input too, told as any other; a mutation that changes nothing must run.
            if (full.code === 2 && m.expect !== 'accept') for (const p of judgeRefusal(full, { file, line: true, input: m.bytes.toString('latin1') + raw, out: join(dir, `full${i}`) })) found(p, full.stderr);
            else if (full.code !== 0 && full.code !== 1) found(`an accepted mutation did not run (exit ${full.code})`, full.stderr);
          }
        }
      } else if (r.code === 2) {
        tally.rejected++;
        verdict = 'rejected';
        if (m.expect === 'accept') found('a mutation that changes nothing was refused', r.stderr);
        for (const p of judgeMutation(m, r, file, out, raw)) found(p, r.stderr);
      } else if (r.code === 0 || r.code === 1) {
        // A run too small for the budget's granularity ran in full: it must have been written whole.
        tally.ran++;
        verdict = 'ran';
        if (m.expect === 'reject') found('accepted a mutation that must be refused', r.stdout);
        if (!existsSync(join(out, 'summary.json'))) found('a finished run without its summary.json', r.stderr);
      } else {
        verdict = `exit ${r.code}`;
        found(`exit ${r.code}`, r.stderr);
      }
      options.onCase?.(name, m, verdict, r.stderr);
      rmSync(out, { recursive: true, force: true });
    }
  }
  return { findings, tally };
}
