import test from 'ava';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeParallel, PartitionPool, type ParallelOptions, type PartitionBy } from '../../../src/exec/parallel/index.ts';
import type { WorldRecipe } from '../../../src/exec/recipe.ts';
import { execute } from '../../../src/exec/run.ts';
import { InputError, MS, SimulationError, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { traceFile } from '../../../src/kernel/trace-file.ts';
import { MESH_DEFAULT, meshWorld, type MeshArgs } from './_worlds.ts';

const recipe = (args: MeshArgs): WorldRecipe => ({ module: new URL('./_worlds.ts', import.meta.url).href, export: 'meshWorld', args });
/**
 * Threads shared by the runs of this file (each starts once); runs that fail discard theirs. The
 * tests run one after another: run at once, each took its threads before any was given back, and
 * the file started 36 threads (each loading the simulator from source) where 8 do.
 */
const pool = new PartitionPool();
test.after.always(() => pool.close());
const parallel = (args: MeshArgs, options: Omit<ParallelOptions, 'pool'>) => executeParallel(recipe(args), { ...options, pool });
const single = (args: MeshArgs) => execute(meshWorld(args, new TraceWriter()));

const layouts: [string, number, PartitionBy | undefined][] = [
  ['1 worker', 1, undefined],
  ['2 workers by site', 2, undefined],
  ['3 workers by site (uneven)', 3, undefined],
  ['4 workers by site', 4, undefined],
  ['explicit groups', 2, { groups: [['s1', 's3'], ['s2', 's4']] }],
];

for (const [name, workers, partitionBy] of layouts) {
  test.serial(`the mesh with faults: ${name} gives the single-thread trace hash, events and records`, async (t) => {
    const reference = single(MESH_DEFAULT);
    const { summary, stats } = await parallel(MESH_DEFAULT, { workers, partitionBy });
    t.is(summary.traceHash, reference.traceHash);
    t.is(summary.events, reference.events);
    t.is(summary.records, reference.records);
    t.is(stats.partitions.length, Math.min(workers, 4));
    if (stats.partitions.length > 1) t.true(stats.crossMessages > 0, 'messages crossed partitions');
  });
}

test.serial('a window wakes only the partitions with an event or a message in it, and the trace is still the single-thread one', async (t) => {
  // Four sites, 2 ms apart: most windows hold a few events of one or two sites.
  const { summary, stats } = await parallel(MESH_DEFAULT, { workers: 4 });
  t.is(summary.traceHash, single(MESH_DEFAULT).traceHash);
  t.true(stats.windows > 100, `${stats.windows} windows`);
  t.true(stats.wakeups >= stats.windows, 'every window wakes at least the partition whose event starts it');
  t.true(stats.wakeups < 0.8 * stats.windows * stats.partitions.length, `${stats.wakeups} wake-ups in ${stats.windows} windows of ${stats.partitions.length} partitions`);
});

test.serial('actors that hear of dead peers (refused and closed connections, across threads) give the single-thread trace for 1, 2 and 4 workers', async (t) => {
  const args: MeshArgs = { ...MESH_DEFAULT, listen: true };
  const reference = single(args);
  t.not(reference.traceHash, single(MESH_DEFAULT).traceHash, 'the notices changed what happened');
  for (const workers of [1, 2, 4]) {
    const { summary } = await parallel(args, { workers });
    t.is(summary.traceHash, reference.traceHash, `${workers} workers`);
    t.is(summary.events, reference.events, `${workers} workers`);
    t.is(summary.records, reference.records, `${workers} workers`);
  }
});

test.serial('messages cut by their sender’s crash (node and process, across threads) give the single-thread trace for 1, 2 and 4 workers', async (t) => {
  const args: MeshArgs = { ...MESH_DEFAULT, upload: 30_000_000 };
  const records: TraceRecord[] = [];
  const trace = new TraceWriter();
  trace.listen((record) => records.push(record));
  const reference = execute(meshWorld(args, trace));
  const cut = records.filter((r) => r.k === 'drop' && r.cause === 'sender-crash');
  t.true(cut.length >= 2, `${cut.length} messages cut`);
  for (const workers of [1, 2, 4]) {
    const { summary, stats } = await parallel(args, { workers });
    t.is(summary.traceHash, reference.traceHash, `${workers} workers`);
    t.is(summary.records, reference.records, `${workers} workers`);
    if (workers > 1) t.true(stats.crossMessages > 0, 'messages crossed partitions');
  }
});

test.serial('peers addressed by refs, and answered through refs carried in messages across threads, give the trace of peers addressed by name', async (t) => {
  const byName = single(MESH_DEFAULT);
  const args: MeshArgs = { ...MESH_DEFAULT, refs: true };
  t.is(single(args).traceHash, byName.traceHash);
  for (const workers of [2, 4]) {
    const { summary, stats } = await parallel(args, { workers });
    t.is(summary.traceHash, byName.traceHash, `${workers} workers`);
    t.true(stats.crossMessages > 0, 'refs crossed partitions');
  }
});

test.serial('a site split over partitions by node runs identically when it has no WAN link', async (t) => {
  const args: MeshArgs = { ...MESH_DEFAULT, sites: 1, nodes: 3, faults: false };
  const { summary, stats } = await parallel(args, { workers: 3, partitionBy: 'node' });
  t.is(summary.traceHash, single(args).traceHash);
  t.is(stats.lookaheadUs, 200, 'the LAN latency sets the lookahead');
});

test.serial('a link with zero latency between partitions is rejected before any thread starts', async (t) => {
  const error = await t.throwsAsync(parallel({ ...MESH_DEFAULT, latencyUs: 0 }, { workers: 2 }), { instanceOf: InputError });
  t.regex(error!.message, /link s\d↔s\d joins two partitions and has zero latency/);
});

test.serial('splitting a site that has a WAN link is rejected, naming the site', async (t) => {
  const error = await t.throwsAsync(parallel(MESH_DEFAULT, { workers: 8, partitionBy: 'node' }), { instanceOf: InputError });
  t.regex(error!.message, /site s1 is split over \d partitions but has a WAN link/);
});

test.serial('partition groups must name sites or nodes, each once, and cover every node', async (t) => {
  const run = (groups: string[][]) => parallel(MESH_DEFAULT, { workers: 2, partitionBy: { groups } });
  t.regex((await t.throwsAsync(run([['s1', 'mars'], ['s2', 's3', 's4']]), { instanceOf: InputError }))!.message, /mars is neither a site nor a node/);
  t.regex((await t.throwsAsync(run([['s1', 's2'], ['s2', 's3', 's4']]), { instanceOf: InputError }))!.message, /both contain node s2-1/);
  t.regex((await t.throwsAsync(run([['s1', 's2'], ['s3']]), { instanceOf: InputError }))!.message, /leave out nodes s4-1, s4-2/);
});

test.serial('an actor that throws in a worker stops the run with its actor, seed and time, and leaves no trace file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'parallel-fail-'));
  try {
    const args: MeshArgs = { ...MESH_DEFAULT, explode: { node: 's3-2', atUs: 500 * MS } };
    const expected = t.throws(() => single(args), { instanceOf: SimulationError });
    const error = await t.throwsAsync(parallel(args, { workers: 4, trace: new TraceWriter(traceFile(join(dir, 'trace.jsonl'))) }), { instanceOf: SimulationError });
    t.is(error!.actor, 'g-s3-2');
    t.is(error!.seed, 3);
    t.is(error!.time, expected!.time, 'the same simulated time as in one thread');
    t.is(error!.event, expected!.event);
    t.regex(error!.message, /planted bug/);
    t.deepEqual(readdirSync(dir), [], 'neither trace.jsonl nor its .tmp is left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial('the merged trace file is the single-thread trace file, byte for byte', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'parallel-trace-'));
  try {
    const a = join(dir, 'single.jsonl');
    const b = join(dir, 'parallel.jsonl');
    const reference = execute(meshWorld(MESH_DEFAULT, new TraceWriter(traceFile(a))));
    const { summary } = await parallel(MESH_DEFAULT, { workers: 4, trace: new TraceWriter(traceFile(b)) });
    t.is(summary.traceHash, reference.traceHash);
    t.true(existsSync(b));
    const { readFileSync } = await import('node:fs');
    t.true(readFileSync(a).equals(readFileSync(b)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial('a world action writing records in two partitions without a step between is refused, not misordered', async (t) => {
  const args: MeshArgs = { ...MESH_DEFAULT, faults: false, pokeTwo: true };
  t.is((await parallel(args, { workers: 1 })).summary.traceHash, single(args).traceHash, 'fine in one partition');
  const error = await t.throwsAsync(parallel(args, { workers: 4 }));
  t.regex(error!.message, /two partitions wrote trace records for the same place \(event at 500000us, origin #0/);
});
