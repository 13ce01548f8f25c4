/**
 * `diaspora emulate` says when it fell behind real time: the warning reads the clock's held time
 * (clock.ts) against the real time the run should have taken at its speed.
 */
import test from 'ava';
import { fellBehind } from '../../src/cli/emulate-command.ts';
import { SECOND } from '../../src/kernel/index.ts';
import type { EmulationResult } from '../../src/exec/emulate/index.ts';

function result(simulatedS: number, speed: number, realMs: number, heldMs: number): Pick<EmulationResult, 'summary' | 'emulation'> {
  return {
    summary: { simulatedTimeUs: simulatedS * SECOND } as EmulationResult['summary'],
    emulation: { speed, realTimeMs: realMs, heldMs, bootMs: 0, messagesRouted: 0, crashes: [], nodes: [] },
  };
}

test('an emulation held for starved threads says by how much it fell behind, and that its timings are not real-time', (t) => {
  // audit2 finding 8: the acks=1 drill, 35 s at 20× in 5.8 s real, said nothing of it.
  const warning = fellBehind(result(35, 20, 5800, 4060));
  t.is(warning, 'fell behind real time by 4.1 s: the clock waited for threads the machine could not run at 20× (35s emulated took 5.8 s real, not 1.8 s), so latencies and timeouts are not real-time; a lower --speed keeps up');
  t.true(warning!.length <= 300);
});

test('an emulation that kept up, or was held only by a pause-sized hiccup, says nothing', (t) => {
  t.is(fellBehind(result(35, 20, 1760, 0)), undefined);
  t.is(fellBehind(result(35, 20, 1800, 60)), undefined, 'under 100 ms');
  t.is(fellBehind(result(60, 1, 61_000, 1000)), undefined, 'under 5 % of the 60 s it should take');
  t.not(fellBehind(result(60, 1, 64_000, 3500)), undefined, 'over 5 %');
});
