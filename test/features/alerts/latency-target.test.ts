/**
 * The alert latency requirement is a scenario setting (`alerts.latency-target`, Rubin's 60 s by
 * default), and the metric's share is named after it, so a study of another requirement (the SRD's
 * minimum specification, another survey's) reads a share that says which one it is. The latency's
 * first component, visit end → the log's acknowledgement (`toLogUs`), beside it.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { AlertMetrics } from '../../../src/features/alerts/metrics/alerts.ts';
import { loadScenario } from '../../../src/scenario/index.ts';

const FILE = 'scenarios/astronomy-alerts.yaml';
/** Visits end every 30 s; alert ids are `<producer>-v<visit>-<j>`. */
const visitEnd = (alert: string) => (Number(/-v(\d+)-\d+$/.exec(alert)![1]) + 1) * 30_000_000;

test('latency-target: 60 s by default, another duration on request, and the share is named after it', (t) => {
  const text = readFileSync(FILE, 'utf8');
  const target = (sets: string[]) => (loadScenario(text, FILE, sets) as unknown as { alerts: { latencyTargetUs: number } }).alerts.latencyTargetUs;
  t.is(target([]), 60_000_000);
  t.is(target(['alerts.latency-target=2m']), 120_000_000);
  const keys = (deadlineUs: number) => Object.keys(new AlertMetrics({ producer: 'p', deadlineUs, brokers: [{ name: 'b', subscribers: 1 }], visitEndUs: visitEnd }).result());
  t.true(keys(60_000_000).includes('within60sShare') && keys(60_000_000).includes('within60sShare.b'));
  t.true(keys(90_000_000).includes('within90sShare'));
  t.true(keys(120_000_000).includes('within2mShare.b'));
});

test('toLogUs: from the end of each alert\'s visit to the log\'s acknowledgement, one sample per alert', (t) => {
  // Visits end every 30 s; visit 0's two alerts are acknowledged 2 s and 4 s after it ends, visit 1's one 1 s after.
  const metric = new AlertMetrics({ producer: 'p', deadlineUs: 60_000_000, brokers: [{ name: 'b', subscribers: 1 }], visitEndUs: visitEnd });
  const ack = (t: number, events: string[]) => metric.observe({ t, k: 'client', a: 'p', n: 0, op: 'ack', events });
  ack(32_000_000, ['p-v0-0']);
  ack(34_000_000, ['p-v0-1']);
  ack(61_000_000, ['p-v1-0']);
  metric.observe({ t: 61_000_000, k: 'client', a: 'other', n: 0, op: 'ack', events: ['p-v1-1'] });
  const toLog = metric.result().toLogUs as { count: number; max: number; mean: number };
  t.is(toLog.count, 3);
  t.is(toLog.max, 4_000_000);
  t.true(Math.abs(toLog.mean - 7_000_000 / 3) < 1e4, String(toLog.mean));
});

test('toLogUs: an alert acknowledged twice (a retried request answered twice) is one sample, at its first ack', (t) => {
  const metric = new AlertMetrics({ producer: 'p', deadlineUs: 60_000_000, brokers: [{ name: 'b', subscribers: 1 }], visitEndUs: visitEnd });
  const ack = (t: number, events: string[]) => metric.observe({ t, k: 'client', a: 'p', n: 0, op: 'ack', events });
  ack(32_000_000, ['p-v0-0', 'p-v0-1']);
  // The retry's answer acks p-v0-1 again, 20 s later, with a new alert.
  ack(52_000_000, ['p-v0-1', 'p-v0-2']);
  const toLog = metric.result().toLogUs as { count: number; max: number; mean: number };
  t.is(toLog.count, 3);
  t.is(toLog.max, 22_000_000);
  t.true(Math.abs(toLog.mean - 26_000_000 / 3) < 1e4, String(toLog.mean));
});

test('the alert producer\'s buffer.memory: unbounded unless written (a visit\'s alerts come due at once), the written size when it is', (t) => {
  const text = readFileSync(FILE, 'utf8');
  const pool = (sets: string[]) => (loadScenario(text, FILE, sets) as unknown as { alerts: { producer: { log: { bufferMemoryBytes: number } } } }).alerts.producer.log.bufferMemoryBytes;
  t.is(pool([]), Number.MAX_SAFE_INTEGER);
  t.is(pool(['alerts.producer["buffer.memory"]=32MiB']), 33_554_432);
});
