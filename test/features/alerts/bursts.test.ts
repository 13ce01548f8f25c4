/**
 * The alert producer's bursts (log/actors/bursts.ts): a burst that comes due while the producer is
 * down is never produced — the break its header documents, which no check reports (the trace has
 * no `produce` record for its events, so nothing expects them) — and each other burst has the same
 * events whatever a restart skipped, its guarantee. On astronomy-alerts, cut to its first 3 min.
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { TraceWriter } from '../../../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../../../src/scenario/index.ts';

/** The produced events of each burst (`alert-producer-v<b>`), in the order first produced. */
function run(faults: string) {
  const trace = new TraceWriter();
  const bursts = new Map<string, string[]>();
  trace.listen((r) => {
    if (r.k !== 'client' || r.op !== 'produce') return;
    for (const id of r.events as string[]) {
      const burst = id.slice(0, id.lastIndexOf('-'));
      const events = bursts.get(burst);
      if (events === undefined) bursts.set(burst, [id]);
      else events.push(id);
    }
  });
  const summary = execute(prepareRun(loadScenarioFile('scenarios/astronomy-alerts.yaml', ['duration=3m', `faults=${faults}`]), { trace }));
  return { summary, bursts };
}

test('a burst due while the producer is down is never produced, and no check notices; the other bursts have the same events as without the crash', (t) => {
  const calm = run('[]');
  t.deepEqual([...calm.bursts.keys()], ['alert-producer-v0', 'alert-producer-v1', 'alert-producer-v2', 'alert-producer-v3']);
  // Burst 1 comes due at 80 s (the end of the second 40-s visit) plus its production time.
  const down = run('[{kind: process-crash, target: [summit-1], at: 75s, for: 20s}]');
  t.deepEqual([...down.bursts.keys()], ['alert-producer-v0', 'alert-producer-v2', 'alert-producer-v3']);
  for (const burst of down.bursts.keys()) t.deepEqual(new Set(down.bursts.get(burst)), new Set(calm.bursts.get(burst)), burst);
  t.true(down.summary.ok, JSON.stringify(down.summary.checks));
  t.is(down.summary.checks['no-acked-loss']!.stats.acked, calm.summary.checks['no-acked-loss']!.stats.acked! - calm.bursts.get('alert-producer-v1')!.length);
});
