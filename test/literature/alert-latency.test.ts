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

const failover = fileURLToPath(new URL('../../scenarios/literature/alerts-failover.yaml', import.meta.url));

/** Runs alerts-failover; returns its share within 60 s and the alerts acknowledged more than 20 s after their produce. */
function failoverRun(sets: string[]): { share: number; late: number; alerts: number } {
  const trace = new TraceWriter();
  const producedAt = new Map<string, number>();
  let late = 0;
  trace.listen((r) => {
    if (r.k !== 'client' || r.a !== 'alert-producer') return;
    if (r.op === 'produce') for (const id of r.events as string[]) producedAt.set(id, r.t);
    if (r.op === 'ack') for (const id of r.events as string[]) if (r.t - producedAt.get(id)! > 20 * SECOND) late++;
  });
  const summary = execute(prepareRun(loadScenarioFile(failover, sets), { trace }));
  const alerts = summary.metrics.alerts as { alerts: number; within60sShare: number };
  return { share: alerts.within60sShare, late, alerts: alerts.alerts };
}

test('a leader broker lost mid-burst: its in-flight alerts wait request.timeout.ms — within OTT1 at 30 s; at 60 s exactly those miss it', (t) => {
  const base = failoverRun([]);
  t.is(base.share, 1, 'request.timeout.ms 30 s: every alert within 60 s');
  t.true(base.late > 0 && base.late / base.alerts > 0.02, `${base.late} alerts delayed by the failover, more than Rubin's 2 % allowance`);
  const slow = failoverRun(['alerts.producer["request.timeout.ms"]=60s', 'alerts.producer["delivery.timeout.ms"]=180s']);
  // The next visit's alerts for those partitions queue behind the stuck requests (more are late by
  // > 20 s), but they arrive 29 s later and make it: only the alerts out to the dead broker miss.
  t.true(Math.abs(slow.share - (1 - base.late / base.alerts)) < 1e-3, `share ${slow.share}, 1 − ${base.late}/${base.alerts}`);
});
