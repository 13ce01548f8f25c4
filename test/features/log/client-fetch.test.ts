/**
 * The consumer's fetching as Kafka's consumer fetcher does it, against scripted brokers that record
 * every request they get: one FetchRequest per leader broker carrying every assigned partition it
 * leads; an error on one partition leaves the others' records delivered; after a leader change the
 * position is validated (OffsetsForLeaderEpoch, one request per broker) before any fetch; the first
 * metadata request goes to a random bootstrap broker. The KIP-320 scenario checks the order on the
 * real cluster: validation first, then the fetch.
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { LogConsumer, type FetchRequest } from '../../../src/features/log/actors/index.ts';
import { MS, SECOND, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../../../src/scenario/index.ts';
import type { World } from '../../../src/world/index.ts';
import { ROOT } from '../../cli/cli.ts';
import { fetches, partitionsOf, scriptedConsumer, scriptedWorld, type Scripted } from './_scripted-brokers.ts';

function scripted(seed: number, setup: (script: Scripted, world: World) => void = () => undefined) {
  const { world, script } = scriptedWorld(seed);
  const config = scriptedConsumer({ fetchMaxWaitUs: 100 * MS, heartbeatIntervalUs: 200 * MS, sessionTimeoutUs: 1 * SECOND, commitIntervalUs: 10 * SECOND, requestTimeoutUs: 1 * SECOND });
  world.spawn('c', 'nx', () => new LogConsumer(config));
  const consumed: TraceRecord[] = [];
  world.trace.listen((r) => {
    if (r.k === 'client' && r.op === 'consume') consumed.push(r);
  });
  setup(script, world);
  world.run({ until: 2 * SECOND });
  return { script, consumed };
}


test('one fetch request per leader broker carries every assigned partition it leads', (t) => {
  const { script, consumed } = scripted(1);
  t.deepEqual(partitionsOf(fetches(script, 'b1')[0]!), [0, 2]);
  t.deepEqual(partitionsOf(fetches(script, 'b2')[0]!), [1, 3]);
  t.is(fetches(script, 'b3').length, 0, 'b3 leads nothing');
  for (const request of [...fetches(script, 'b1'), ...fetches(script, 'b2')]) {
    t.is(request.maxBytes, 50 << 20, 'fetch.max.bytes');
    t.true(request.partitions.every((p) => p.maxBytes === 1 << 20), 'max.partition.fetch.bytes');
  }
  t.deepEqual(consumed.map((r) => r.partition).sort(), [0, 1, 2, 3]);
});

test('an error on one partition of a reply leaves the other partitions\' records delivered', (t) => {
  const { script, consumed } = scripted(1, (s) => s.notLeader.add(2));
  const first = fetches(script, 'b1')[0]!;
  t.deepEqual(partitionsOf(first), [0, 2], 'partition 2 shared the request with 0');
  const zero = consumed.filter((r) => r.partition === 0);
  t.deepEqual(zero.flatMap((r) => r.events as string[]), ['t0-0', 't0-1', 't0-2', 't0-3', 't0-4']);
  t.is(consumed.filter((r) => r.partition === 2).length, 0, 'partition 2 answered not-leader');
  // Partition 2 is asked for again (after a metadata refresh and a backoff), partition 0 goes on alone.
  t.true(fetches(script, 'b1').slice(1).some((f) => partitionsOf(f).includes(2)));
});

test('after a leader change the consumer validates its positions, one OffsetsForLeaderEpoch per broker, before it fetches again', (t) => {
  let changeAt = 0;
  const { script } = scripted(1, (s, world) => {
    world.at(1 * SECOND, 'leader change', () => {
      s.epoch = 2;
      changeAt = 1 * SECOND;
    });
  });
  const after = script.received.filter((r) => r.t >= changeAt && r.to === 'b1' && (r.message.type === 'fetch' || r.message.type === 'epoch-end'));
  // The fetch held at the change comes back fenced; the next request to b1 is the validation.
  const validation = after.find((r) => r.message.type === 'epoch-end')!;
  t.truthy(validation);
  t.deepEqual((validation.message.partitions as { partition: number }[]).map((p) => p.partition).sort(), [0, 2]);
  const fetchesBetween = after.filter((r) => r.message.type === 'fetch' && r.t > changeAt && r.t < validation.t && (r.message as unknown as FetchRequest).partitions.some((p) => p.leaderEpoch === 2));
  t.is(fetchesBetween.length, 0, 'no fetch in the new epoch before the validation');
  const next = after.find((r) => r.message.type === 'fetch' && r.t >= validation.t);
  t.truthy(next, 'then it fetches');
  t.true((next!.message as unknown as FetchRequest).partitions.every((p) => p.leaderEpoch === 2), 'with the new leader epoch');
});

test('the first metadata request goes to a random bootstrap broker: two seeds, two brokers; one seed, always the same', (t) => {
  const firstAsked = (seed: number) => scripted(seed).script.received.find((r) => r.message.type === 'metadata')!.to;
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
  const picks = seeds.map(firstAsked);
  t.true(new Set(picks).size > 1, `always ${picks[0]}`);
  t.deepEqual(seeds.map(firstAsked), picks, 'the same seed picks the same broker');
});

test('KIP-320 drill: after the unclean election the consumer asks the new leader where its epoch ends before fetching from it', (t) => {
  const trace = new TraceWriter();
  const sends: TraceRecord[] = [];
  trace.listen((r) => {
    if (r.k === 'send' && r.a === 'reader' && r.to === 'kafka-broker-3' && (r.msg === 'fetch' || r.msg === 'epoch-end')) sends.push(r);
  });
  const scenario = loadScenarioFile(`${ROOT}/scenarios/drills/log-kip320-consumer-truncation.yaml`, []);
  const summary = execute(prepareRun(scenario, { trace }));
  const afterElection = sends.filter((r) => r.t >= 40 * SECOND);
  t.is(afterElection[0]?.msg, 'epoch-end', afterElection.slice(0, 3).map((r) => `${r.t} ${r.msg}`).join(', '));
  t.is(afterElection[1]?.msg, 'fetch');
  t.is(summary.checks['no-acked-loss']!.stats.lost, 3500);
});
