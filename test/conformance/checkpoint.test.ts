/**
 * Checkpoint strategies, simulated and emulated: stream-replay brings an operator back to the state
 * of a fault-free run after its node's thread is really killed (its checkpoint is read back from a
 * real file, its input replayed from the persistent stream).
 */
import { conformance } from './_harness.ts';

conformance(
  'stream-replay: after a real kill the operators end in the fault-free reference state',
  async (t, runner) => {
    const { summary, crashed, restarted } = await runner.run('scenarios/drills/domino-stream-replay.yaml');
    t.true(crashed.length > 0 && restarted.length > 0, 'an operator was killed and restarted');
    const verdict = summary.checks['state-equals-reference'];
    t.true(verdict.ok, JSON.stringify(verdict.violations.slice(0, 2)));
    t.true(summary.checks['consistent-cuts'].ok);
  },
  { speed: 20 },
);

// The whole x-ray scenario: 25 minutes of beamline → reconstruction → denoising with two node
// crashes, about 50 s of real time at 30× (DIASPORA_SLOW_TESTS=1 npx ava test/conformance).
conformance(
  'stream-replay: the x-ray pipeline ends in the fault-free reference state after real kills',
  async (t, runner) => {
    const { summary, crashed } = await runner.run('scenarios/aps-xray.yaml');
    t.true(crashed.length >= 2, 'both scheduled crashes happened');
    const verdict = summary.checks['state-equals-reference'];
    t.true(verdict.ok, JSON.stringify(verdict.violations.slice(0, 2)));
  },
  { speed: 30, slow: true },
);
