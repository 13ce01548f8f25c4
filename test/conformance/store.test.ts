/**
 * The single-node event store, simulated and emulated: its guarantee holds when its node's thread
 * is really killed, and its known failure really happens.
 */
import { conformance, eventually } from './_harness.ts';

const DRILL = 'test/fixtures/conformance/store-crash.yaml';

conformance('store, flush every-write: a crash of its node loses no acknowledged event', async (t, runner) => {
  const { summary, crashed, restarted, ackedBeforeCrash } = await runner.run(DRILL, ['services.store.flush=every-write']);
  t.true(crashed.includes('store'), 'the store crashed');
  t.true(restarted.includes('store'), 'and came back');
  t.true(ackedBeforeCrash > 0, 'after it had acknowledged events: there was something to lose');
  const verdict = summary.checks['no-acked-loss'];
  t.true(verdict.ok, JSON.stringify(verdict.violations.slice(0, 2)));
});

conformance('store, flush never: a crash of its node loses acknowledged events', async (t, runner) => {
  const outcome = await eventually(t, 3, () => runner.run(DRILL, ['services.store.flush=never']), (o) => !o.summary.checks['no-acked-loss'].ok);
  const verdict = outcome.summary.checks['no-acked-loss'];
  t.true(outcome.crashed.includes('store'));
  t.false(verdict.ok);
  t.true(verdict.violations.some((v) => v.anomaly === 'lost'), JSON.stringify(verdict.violations.slice(0, 2)));
  t.true((verdict.stats.lost as number) > 0);
});
