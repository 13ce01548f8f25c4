/**
 * Rubin's alert latency (LSST SRD OTT1: alerts to the community within 60 s of the visit) when a
 * community broker is the bottleneck (`scenarios/literature/alerts-broker-queue.yaml`): a single
 * server working through each visit's burst at 1/c alerts a second, delivering at the end of each
 * max.poll.records step. Its share within the target, median and last alert follow the queue.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { execute } from '../../src/exec/run.ts';
import { SECOND, TraceWriter } from '../../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../../src/scenario/index.ts';

const file = fileURLToPath(new URL('../../scenarios/literature/alerts-broker-queue.yaml', import.meta.url));

test('a broker classifying 5000 alerts at 4 ms, 500 a step: the share within 10 s, p50 and the last alert follow the single-server queue', (t) => {
  const summary = execute(prepareRun(loadScenarioFile(file), { trace: new TraceWriter() }));
  t.true(summary.ok, JSON.stringify(summary.checks));
  const alerts = summary.metrics.alerts as { within10sShare: number; latencyUs: { p50: number; max: number } };
  const [n, c, step, target] = [5000, 0.004, 500, 10];
  const fullSteps = ((Math.ceil(target / (step * c)) - 1) * step) / n; // 0.40: the steps finished by 10 s (the 5th ends just after: the first alert arrives after the visit)
  const atRate = target / c / n; // 0.50: everything classified by 10 s at 1/c, none waiting for its step
  t.true(alerts.within10sShare >= fullSteps && alerts.within10sShare <= atRate, `within 10 s: ${alerts.within10sShare}, queue bounds ${fullSteps}–${atRate}`);
  const p50 = alerts.latencyUs.p50 / SECOND;
  t.true(p50 >= (n / 2) * c && p50 <= (n / 2) * c + step * c + 0.5, `p50 ${p50} s`);
  const last = alerts.latencyUs.max / SECOND;
  t.true(last >= n * c && last <= n * c + 0.5, `last alert ${last} s after its visit, the burst's work ${n * c} s`);
});
