/**
 * The emulator's control plane and its failure path, on the gossip mesh of the parallel tests
 * (two sites of one node each: two node threads), at 5× real time.
 */
import test from 'ava';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Emulation } from '../../../src/exec/emulate/index.ts';
import type { WorldRecipe } from '../../../src/exec/recipe.ts';
import { MS, SECOND, SimulationError, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { traceFile } from '../../../src/kernel/trace-file.ts';
import type { MeshArgs } from '../parallel/_worlds.ts';

const mesh = (extra: Partial<MeshArgs> = {}): WorldRecipe => ({
  module: new URL('../parallel/_worlds.ts', import.meta.url).href,
  export: 'meshWorld',
  args: { seed: 3, sites: 2, nodes: 1, endUs: 20 * SECOND, faults: false, ...extra } satisfies MeshArgs,
});

function scratch(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'emulation-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 20_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The mesh emulated at 5× real time, its trace in `dir`, stopped when the test ends. */
async function started(t: { teardown(fn: () => Promise<void>): void }, dir: string): Promise<Emulation> {
  const emulation = await Emulation.start(mesh(), { speed: 5, dir, trace: new TraceWriter(traceFile(join(dir, 'trace.jsonl'))) });
  // A failed assertion must not leave the node threads running: ava would wait for them.
  t.teardown(async () => {
    emulation.abort('the test ended');
    await emulation.done.catch(() => {});
  });
  return emulation;
}

test.serial('pause, stats, crash and restart through the control plane; records keep their numbering', async (t) => {
  const dir = scratch(t);
  const emulation = await started(t, dir);
  await until(() => emulation.now() > 300 * MS, 'the run to get going');

  emulation.pause();
  const frozen = emulation.now();
  const before = await emulation.stats();
  await sleep(100);
  const after = await emulation.stats();
  t.is(emulation.now(), frozen, 'emulated time stands still while paused');
  t.deepEqual(after.map((s) => s.events), before.map((s) => s.events), 'no handler runs while paused');
  t.deepEqual(before.map((s) => s.node).sort(), ['s1-1', 's2-1']);
  emulation.resume();

  await emulation.crash('s2-1', 'killed by the test');
  t.false(emulation.isUp('s2-1'));
  t.deepEqual((await emulation.stats()).map((s) => s.node), ['s1-1'], 'only the live node answers');
  await until(() => emulation.now() > 1500 * MS, 'some downtime');
  // Paused across the restart: the new thread may take seconds to boot on a loaded machine, and
  // the run (4 s of real time) must not end meanwhile.
  emulation.pause();
  await emulation.restart('s2-1', 'restarted by the test');
  t.true(emulation.isUp('s2-1'));
  const second = (await emulation.stats()).find((s) => s.node === 's2-1')!;
  t.is(second.incarnation, 1, 'a new thread: the second life of the node');
  emulation.resume();

  const { summary, emulation: report } = await emulation.done;
  t.is(report.crashes.length, 1);
  t.truthy(report.crashes[0].restartedAtUs);
  const lines = readFileSync(join(dir, 'trace.jsonl'), 'utf8').trim().split('\n');
  t.deepEqual(JSON.parse(lines.pop()!), { k: 'end', records: summary.records, hash: summary.traceHash }, 'the trace ends with its end record');
  const records = lines.map((l) => JSON.parse(l) as TraceRecord);
  t.is(records.length, summary.records);
  const gossip = records.filter((r) => r.a === 'g-s2-1');
  t.deepEqual(gossip.map((r) => r.n), gossip.map((_, i) => i), 'one numbering across both lives');
  t.deepEqual(gossip.filter((r) => r.k === 'crash' || r.k === 'restart').map((r) => r.k), ['crash', 'restart']);
  t.true(readdirSync(join(dir, 'disk', 's2-1')).length > 0, 'the node kept real files');
});

test.serial('a restart the run ends while the new thread boots returns quietly: nothing is left to restart', async (t) => {
  const emulation = await started(t, scratch(t));
  await emulation.crash('s2-1', 'killed by the test');
  // The spare thread the crash launched cannot have answered yet (that takes a message round
  // trip): the restart waits for it, and the run ends meanwhile, shutting it down.
  const restarting = emulation.restart('s2-1', 'restarted by the test');
  emulation.abort('ended while s2-1 boots');
  await t.notThrowsAsync(restarting);
  t.false(emulation.isUp('s2-1'));
  await t.throwsAsync(emulation.done, { message: /ended while s2-1 boots/ });
});

test.serial('an actor that throws stops the emulation with its actor, seed and time, and leaves no trace', async (t) => {
  const dir = scratch(t);
  const trace = join(dir, 'trace.jsonl');
  const emulation = await Emulation.start(mesh({ explode: { node: 's2-1', atUs: 200 * MS } }), { speed: 5, dir, trace: new TraceWriter(traceFile(trace)) });
  const error = await t.throwsAsync(emulation.done, { instanceOf: SimulationError });
  t.is(error!.actor, 'g-s2-1');
  t.is(error!.seed, 3);
  t.true(error!.time >= 200 * MS);
  t.regex(error!.message, /planted bug/);
  t.false(existsSync(trace) || existsSync(`${trace}.tmp`));
});
