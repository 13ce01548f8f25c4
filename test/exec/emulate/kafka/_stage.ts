/**
 * A `--kafka` emulation for tests: a scenario file (with overrides) served on free ports, its live
 * lines collected and waited for by pattern (event-driven: no test depends on a wall-clock window),
 * and everything ended — emulation, threads, sockets — by the test's teardown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafkaEmulation, type KafkaEmulation } from '../../../../src/exec/emulate/kafka/index.ts';
import { InputError, TraceWriter, type TraceRecord } from '../../../../src/kernel/index.ts';
import { loadScenarioFileAsync } from '../../../../src/scenario/index.ts';

export interface Stage extends KafkaEmulation {
  readonly lines: string[];
  readonly dir: string;
  /** Resolves with the first live line matching `pattern` (already printed or still to come). */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
  records(): TraceRecord[];
}

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

export async function stage(t: Teardown, file: string, sets: string[] = []): Promise<Stage> {
  const scenario = await loadScenarioFileAsync(file, sets);
  const dir = mkdtempSync(join(tmpdir(), 'kafka-stage-'));
  const lines: string[] = [];
  const listeners: (() => void)[] = [];
  const records: TraceRecord[] = [];
  const trace = new TraceWriter();
  trace.listen((record) => records.push(record));
  let started: KafkaEmulation | undefined;
  for (let attempt = 0; started === undefined; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    try {
      started = await startKafkaEmulation(scenario, scenario.seed, {
        port,
        dir,
        trace,
        say: (line) => {
          lines.push(line);
          for (const listener of [...listeners]) listener();
        },
      });
    } catch (error) {
      if (!(error instanceof InputError) || attempt >= 5) throw error;
    }
  }
  const emulation = started;
  t.teardown(async () => {
    emulation.emulation.abort('the test ended');
    await emulation.done.catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });
  const line = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = lines.find((l) => pattern.test(l));
        if (found === undefined) return false;
        listeners.splice(listeners.indexOf(check), 1);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        listeners.splice(listeners.indexOf(check), 1);
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; lines: ${lines.join(' | ')}`));
      }, timeoutMs);
      listeners.push(check);
      check();
    });
  return { ...emulation, lines, dir, line, records: () => records };
}
