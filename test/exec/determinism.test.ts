import test from 'ava';
import { checkDeterminism } from '../../src/exec/determinism.ts';
import { execute } from '../../src/exec/run.ts';
import { MS, SECOND, TraceWriter, type Actor, type Context } from '../../src/kernel/index.ts';
import { traceFile } from '../../src/kernel/trace-file.ts';
import { World } from '../../src/world/index.ts';

/** Two actors that ping each other; `jitterOf` decides each reply delay. */
function pingPong(trace: TraceWriter, jitterOf: (ctx: Context) => number): string {
  const world = new World({ seed: 7, trace });
  world.addSite('a');
  world.addSite('b');
  world.link('a', 'b', { latencyUs: 3 * MS });
  const player = (peer: string, serve: boolean): Actor => ({
    start: (ctx) => {
      if (serve) ctx.send(peer, { type: 'ping' });
    },
    onMessage: (ctx) => {
      ctx.setTimer(jitterOf(ctx), 'reply');
    },
    onTimer: (ctx) => ctx.send(peer, { type: 'ping' }),
  });
  world.spawn('left', 'a-1', () => player('right', true));
  world.spawn('right', 'b-1', () => player('left', false));
  return execute({ scenario: 'ping-pong', world, endUs: 2 * SECOND, checks: [], metrics: [] }).traceHash;
}

test('a protocol that draws only from its context is deterministic', async (t) => {
  const report = await checkDeterminism((path) => pingPong(new TraceWriter(traceFile(path)), (ctx) => ctx.rng('reply').int(0, 1000)));
  t.true(report.deterministic);
  t.is(report.hashes[0], report.hashes[1]);
  t.is(report.divergence, undefined);
});

test('injected nondeterminism is found, with the first divergent record and its time', async (t) => {
  // A hidden global counter: the second run starts where the first stopped, as a wall clock would.
  let calls = 0;
  const report = await checkDeterminism((path) =>
    pingPong(new TraceWriter(traceFile(path)), () => {
      calls++;
      return calls > 150 ? 500 : 100;
    }),
  );
  t.false(report.deterministic);
  const d = report.divergence!;
  t.truthy(d.first);
  t.truthy(d.second);
  t.not(d.first, d.second);
  // The first run switched to 500 µs delays after its 150th reply; the second run from its first.
  t.is(typeof d.timeUs, 'number');
  t.true(d.timeUs! > 0 && d.timeUs! < SECOND, `diverged at ${d.timeUs}`);
  t.true(d.line > 2, 'the header and the first sends agree');
});
