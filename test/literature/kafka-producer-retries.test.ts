/**
 * The Kafka producer's retries as its documentation describes them (`retries`,
 * `max.in.flight.requests.per.connection`, `enable.idempotence`), on
 * `scenarios/literature/kafka-retries-reorder.yaml`: a link losing 2 % of messages each way, about
 * 1,000 batches of ≈ 10 events. A lost reply duplicates its batch, a lost request with others in
 * flight behind it reorders its batch; idempotence prevents both, one request in flight prevents the
 * reordering only.
 *
 * Expected counts: 2 % of 10,000 events ≈ 200 each, a Poisson number of lost batches (mean ≈ 20):
 * three standard deviations (√20 ≈ 4.5 batches, ≈ 45 events) either side is 65 … 335 events.
 */
import test from 'ava';
import { run } from './literature-run.ts';

const SETS = {
  plain: [],
  oneInFlight: ['workload.sensor["max.in.flight.requests.per.connection"]=1'],
  idempotent: ['workload.sensor["enable.idempotence"]=true'],
};

function counts(sets: string[]): { duplicated: number; reordered: number; lost: number } {
  const { summary } = run('kafka-retries-reorder', sets);
  return { duplicated: summary.checks['duplicate']!.stats.duplicates!, reordered: summary.checks['produce-order']!.stats.reordered!, lost: summary.checks['no-acked-loss']!.stats.lost! };
}

const plausible = (n: number) => n >= 65 && n <= 335;

test('a plain producer with five requests in flight: lost replies duplicate, lost requests reorder, about 2 % each', (t) => {
  const { duplicated, reordered, lost } = counts(SETS.plain);
  t.is(lost, 0);
  t.true(plausible(duplicated), `${duplicated} duplicated, expected ≈ 200`);
  t.true(plausible(reordered), `${reordered} reordered, expected ≈ 200`);
});

test('one request in flight: still duplicates, never reorders', (t) => {
  const { duplicated, reordered } = counts(SETS.oneInFlight);
  t.true(plausible(duplicated), `${duplicated} duplicated, expected ≈ 200`);
  t.is(reordered, 0);
});

test('the idempotent producer: neither duplicates nor reorders, with five requests in flight', (t) => {
  t.deepEqual(counts(SETS.idempotent), { duplicated: 0, reordered: 0, lost: 0 });
});
