/**
 * The alert latency requirement is a scenario setting (`alerts.latency-target`, Rubin's 60 s by
 * default), and the metric's share is named after it, so a study of another requirement (the SRD's
 * minimum specification, another survey's) reads a share that says which one it is.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { AlertMetrics } from '../../../src/features/alerts/metrics/alerts.ts';
import { loadScenario } from '../../../src/scenario/index.ts';

const FILE = 'scenarios/astronomy-alerts.yaml';

test('latency-target: 60 s by default, another duration on request, and the share is named after it', (t) => {
  const text = readFileSync(FILE, 'utf8');
  const target = (sets: string[]) => (loadScenario(text, FILE, sets) as unknown as { alerts: { latencyTargetUs: number } }).alerts.latencyTargetUs;
  t.is(target([]), 60_000_000);
  t.is(target(['alerts.latency-target=2m']), 120_000_000);
  const keys = (deadlineUs: number) => Object.keys(new AlertMetrics({ producer: 'p', deadlineUs, brokers: [{ name: 'b', subscribers: 1 }] }).result());
  t.true(keys(60_000_000).includes('within60sShare') && keys(60_000_000).includes('within60sShare.b'));
  t.true(keys(90_000_000).includes('within90sShare'));
  t.true(keys(120_000_000).includes('within2mShare.b'));
});
