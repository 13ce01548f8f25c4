/**
 * Conformance tests in the style of madsim: one test body, run against the simulator and against
 * the emulator (worker threads, real time, real kills, real files). A protocol that passes in
 * simulation is shown to behave the same when its processes truly die.
 *
 *   conformance('what must hold', async (t, runner) => {
 *     const outcome = await runner.run('scenarios/x.yaml', ['services.store.flush=every-write']);
 *     t.true(outcome.summary.checks['no-acked-loss'].ok);
 *   });
 *
 * registers `what must hold [simulated]` and `what must hold [emulated]`. Emulation is not
 * deterministic: a body that needs a race to go one way retries with `eventually` (bounded).
 */
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Emulation, emulationFaultNotes } from '../../src/exec/emulate/index.ts';
import { execute, type RunSummary } from '../../src/exec/run.ts';
import { scenarioRecipe } from '../../src/exec/scenario-recipe.ts';
import { TraceWriter } from '../../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../../src/scenario/index.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Mode = 'simulated' | 'emulated';

export interface Outcome {
  summary: RunSummary;
  /** Actors that crashed, in the order their `crash` records came. */
  crashed: string[];
  restarted: string[];
  /**
   * Events acknowledged to clients before the first crash: what a crash could lose. An order of
   * events, not a rate — how many fit before it depends on how fast the host ran the emulation.
   */
  ackedBeforeCrash: number;
}

export interface Runner {
  readonly mode: Mode;
  /** Runs a scenario file (relative to the repository) with `--set` overrides. */
  run(file: string, sets?: readonly string[]): Promise<Outcome>;
}

export interface ConformanceOptions {
  /** Emulated seconds per real second (default 10). */
  speed?: number;
  modes?: readonly Mode[];
  /** A long drill: registered, but skipped unless `DIASPORA_SLOW_TESTS=1`. */
  slow?: boolean;
}

/** A trace writer that remembers crashes, restarts and acknowledgements, for either runner. */
function watchedTrace(): { trace: TraceWriter; watched: Omit<Outcome, 'summary'> } {
  const trace = new TraceWriter();
  const watched = { crashed: [] as string[], restarted: [] as string[], ackedBeforeCrash: 0 };
  trace.listen((record) => {
    if (record.k === 'crash') watched.crashed.push(record.a);
    if (record.k === 'restart') watched.restarted.push(record.a);
    if (record.k === 'client' && record.op === 'ack' && watched.crashed.length === 0) watched.ackedBeforeCrash += Array.isArray(record.events) ? record.events.length : 1;
  });
  return { trace, watched };
}

const simulated: Runner = {
  mode: 'simulated',
  async run(file, sets = []) {
    const scenario = loadScenarioFile(join(ROOT, file), sets);
    const { trace, watched } = watchedTrace();
    return { summary: execute(prepareRun(scenario, { seed: scenario.seed, trace })), ...watched };
  },
};

function emulated(speed: number): Runner {
  return {
    mode: 'emulated',
    async run(file, sets = []) {
      const scenario = loadScenarioFile(join(ROOT, file), sets);
      const { trace, watched } = watchedTrace();
      const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
      try {
        const { standby } = emulationFaultNotes(scenario);
        const emulation = await Emulation.start(scenarioRecipe(scenario, scenario.seed), { speed, dir, trace, standby });
        const { summary } = await emulation.done;
        return { summary, ...watched };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export function conformance(title: string, body: (t: ExecutionContext, runner: Runner) => Promise<void>, options: ConformanceOptions = {}): void {
  for (const mode of options.modes ?? ['simulated', 'emulated']) {
    const runner = mode === 'simulated' ? simulated : emulated(options.speed ?? 10);
    // Emulations run one at a time: each needs the cores it has for real time to mean anything.
    const register = options.slow === true && process.env.DIASPORA_SLOW_TESTS !== '1' ? test.skip : mode === 'emulated' ? test.serial : test;
    register(`${title} [${mode}]`, (t) => body(t, runner));
  }
}

/**
 * Runs until `observed` holds, at most `attempts` times: for outcomes that depend on a real race
 * (a kill landing between an acknowledgement and the flush). Returns the last outcome.
 */
export async function eventually(t: ExecutionContext, attempts: number, run: () => Promise<Outcome>, observed: (o: Outcome) => boolean): Promise<Outcome> {
  let outcome: Outcome | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    outcome = await run();
    if (observed(outcome)) {
      if (attempt > 1) t.log(`observed on attempt ${attempt} of ${attempts}`);
      return outcome;
    }
  }
  return outcome!;
}
