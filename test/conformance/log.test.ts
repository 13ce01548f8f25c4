/**
 * The replicated log's drills, simulated and emulated with real kills of a broker's thread.
 */
import { conformance, eventually } from './_harness.ts';

const LEADER_CRASH = 'scenarios/drills/log-acks1-leader-crash.yaml';

conformance('log, acks=all and min.insync.replicas=2: killing the leader loses no acknowledged event', async (t, runner) => {
  const { summary, crashed, ackedBeforeCrash } = await runner.run(LEADER_CRASH, ['workload.detector.acks=all']);
  t.true(crashed.includes('stream-broker-1'), 'the leader was killed');
  t.true(ackedBeforeCrash > 0, 'after it had acknowledged events: there was something to lose');
  const verdict = summary.checks['no-acked-loss'];
  t.true(verdict.ok, JSON.stringify(verdict.violations.slice(0, 2)));
});

conformance('log, acks=1: killing the leader right after it acknowledged loses events', async (t, runner) => {
  const lost = (o: { summary: { checks: Record<string, { ok: boolean }> } }) => !o.summary.checks['no-acked-loss'].ok;
  const outcome = await eventually(t, 3, () => runner.run(LEADER_CRASH), lost);
  const verdict = outcome.summary.checks['no-acked-loss'];
  t.true(outcome.crashed.includes('stream-broker-1'));
  t.false(verdict.ok);
  t.true(verdict.violations.some((v) => v.anomaly === 'lost'), JSON.stringify(verdict.violations.slice(0, 2)));
});
