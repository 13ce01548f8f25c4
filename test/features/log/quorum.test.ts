/**
 * The controller quorum (KRaft): three controllers on Raft, the active one the Raft leader. Brokers
 * heartbeat to it and follow NOT_CONTROLLER redirects; its loss moves the active controller within
 * seconds; without a majority, no metadata changes, and the data path keeps its leaders.
 */
import test from 'ava';
import { join } from 'node:path';
import { execute } from '../../../src/exec/run.ts';
import { TraceWriter, type Actor, type Context, type Message, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../../../src/scenario/index.ts';
import { ROOT } from '../../cli/cli.ts';
import { logWorld, MS, SECOND, topic } from './_harness.ts';

const CONTROLLERS = ['log-controller', 'log-controller-2', 'log-controller-3'];

test('a quorum of three: one active controller creates the topics; every event is acknowledged and read back', (t) => {
  const run = logWorld({ quorum: true, topics: [topic('t', 3)], flush: { kind: 'every-write' } });
  run.producer('p', { stopAtUs: 4 * SECOND, ratePerSec: 200 });
  const { verdicts, records } = run.go(12 * SECOND);
  for (const [name, v] of Object.entries(verdicts)) t.true(v.ok, `${name}: ${v.violations[0]?.message}`);
  const activations = records.filter((r) => r.k === 'log' && r.op === 'controller-activate');
  t.is(activations.length, 1);
  t.true(CONTROLLERS.includes(activations[0]!.a));
  t.true(activations[0]!.t < 3 * SECOND, `active at ${activations[0]!.t}`);
  t.is(records.filter((r) => r.k === 'log' && r.op === 'elect' && r.reason === 'topic created').length, 3, 'the topics are created once');
});

test('the active controller crashes: another takes office within seconds and then fences a dead broker', (t) => {
  const run = logWorld({ quorum: true, topics: [topic('t', 1)], flush: { kind: 'every-write' } });
  run.producer('p', { stopAtUs: 10 * SECOND, ratePerSec: 200, deliveryTimeoutUs: 8 * SECOND, retries: 100 });
  let active = '';
  run.world.trace.listen((r) => {
    if (r.k === 'log' && r.op === 'controller-activate') active = r.a;
  });
  run.at(2 * SECOND, 'the active controller dies', (w) => w.crashActor(active, 'test'));
  run.crashNode('hpc-1', 4 * SECOND, 4 * SECOND); // the leader of t-0
  const { verdicts, records } = run.go(20 * SECOND);
  t.true(verdicts['no-acked-loss']!.ok, verdicts['no-acked-loss']!.violations[0]?.message);
  const crashed = records.find((r) => r.k === 'log' && r.op === 'controller-activate')!.a;
  const next = records.find((r) => r.k === 'log' && r.op === 'controller-activate' && r.t > 2 * SECOND)!;
  t.not(next.a, crashed);
  t.true(next.t - 2 * SECOND < 5 * SECOND, `failover took ${(next.t - 2 * SECOND) / MS} ms`);
  const elect = records.find((r) => r.k === 'log' && r.op === 'elect' && r.t > 4 * SECOND)!;
  t.is(elect.a, next.a, 'the new active controller elects');
  t.not(elect.leader, 'log-broker-1');
});

test('clients find the active controller: the first member is down, so InitProducerId and the group requests get NOT_CONTROLLER or no answer and go on to the active one', (t) => {
  const run = logWorld({ quorum: true, topics: [topic('t', 2)], flush: { kind: 'every-write' } });
  run.producer('p', { stopAtUs: 6 * SECOND, ratePerSec: 200, retries: 100 });
  run.consumer('c');
  run.crashNode('hpc-ctl', 1, 8 * SECOND); // log-controller, the member clients ask first
  const { verdicts, records } = run.go(14 * SECOND);
  t.true(verdicts['no-acked-loss']!.ok, verdicts['no-acked-loss']!.violations[0]?.message);
  const activation = records.find((r) => r.k === 'log' && r.op === 'controller-activate')!;
  t.not(activation.a, 'log-controller');
  // An idempotent producer sends nothing before it has its producer id.
  const firstAck = records.find((r) => r.k === 'client' && r.op === 'ack' && r.a === 'p');
  t.truthy(firstAck, 'the producer got its id and was acknowledged');
  t.true(firstAck!.t < 4 * SECOND, `first ack at ${firstAck!.t / MS} ms, long before log-controller returns at 8 s`);
  const assign = records.find((r) => r.k === 'client' && r.op === 'assign' && r.a === 'c');
  t.truthy(assign, 'the consumer joined its group');
  t.true(assign!.t < 6 * SECOND, `assigned at ${assign!.t / MS} ms`);
});

test('NOT_CONTROLLER: members refuse a client while no controller is active (it tries the next one after its backoff) and name the active one once known (it goes there at once)', (t) => {
  const run = logWorld({ quorum: true, topics: [topic('t', 1)], flush: { kind: 'every-write' } });
  const sends: TraceRecord[] = [];
  run.world.trace.listen((r) => {
    if (r.k === 'send' && (r.msg === 'not-controller' || r.msg === 'init-producer-id' || r.msg === 'init-producer-id-reply')) sends.push(r);
  });
  run.producer('p', { stopAtUs: 4 * SECOND, ratePerSec: 50 });
  const { verdicts, records } = run.go(8 * SECOND);
  t.true(verdicts['no-acked-loss']!.ok);
  const active = records.find((r) => r.k === 'log' && r.op === 'controller-activate')!.a;
  const asks = sends.filter((r) => r.msg === 'init-producer-id');
  const refusals = sends.filter((r) => r.msg === 'not-controller');
  t.true(refusals.length >= 1, 'the producer asked before any controller was active');
  t.is(asks[0]!.to, 'log-controller', 'it asks the first member first');
  // Every refusal is followed by one request to another member (the named active one, or the next).
  for (const refusal of refusals) t.true(asks.some((a) => a.t >= refusal.t && a.to !== refusal.a), `a request after the refusal by ${refusal.a}`);
  const answered = sends.find((r) => r.msg === 'init-producer-id-reply')!;
  t.is(answered.a, active, 'the active controller issues the id');
  t.is(asks[asks.length - 1]!.to, active);
});

/** A client that asks a broker for metadata at `atUs` and records the controller its reply names. */
class MetadataProbe implements Actor<Message> {
  constructor(
    private readonly broker: string,
    private readonly atUs: number,
  ) {}

  start(ctx: Context): void {
    ctx.setTimer(this.atUs, 'ask');
  }

  onTimer(ctx: Context): void {
    ctx.send(this.broker, { type: 'metadata', req: 1 });
  }

  onMessage(ctx: Context, message: Message): void {
    if (message.type === 'metadata-reply') ctx.record('client', { op: 'probe', controller: (message as Message & { controller?: string }).controller ?? null });
  }
}

test('metadata replies name the active controller the broker knows from the quorum, not the first member', (t) => {
  const run = logWorld({ quorum: true, topics: [topic('t', 1)], flush: { kind: 'every-write' } });
  run.crashNode('hpc-ctl', 1, 30 * SECOND); // log-controller, the first member, never takes office
  run.world.spawn('probe', 'beamline-1', () => new MetadataProbe('log-broker-2', 6 * SECOND));
  const { records } = run.go(8 * SECOND);
  const active = records.find((r) => r.k === 'log' && r.op === 'controller-activate')!.a;
  t.not(active, 'log-controller');
  const probe = records.find((r) => r.k === 'client' && r.op === 'probe');
  t.like(probe, { controller: active });
});

test('majority loss: no metadata changes while two of three controllers are down, the data path keeps its leaders; one back and the quorum resumes', (t) => {
  const run = logWorld({ quorum: true, topics: [topic('t', 3)], flush: { kind: 'every-write' } });
  run.producer('p', { stopAtUs: 9 * SECOND, ratePerSec: 200, deliveryTimeoutUs: 8 * SECOND, retries: 100 });
  run.at(3 * SECOND, 'two controllers die', (w) => {
    w.crashActor('log-controller-2', 'test');
    w.crashActor('log-controller-3', 'test');
  });
  run.at(8 * SECOND, 'one returns', (w) => w.restartActor('log-controller-2', 'test'));
  const { verdicts, records } = run.go(20 * SECOND);
  t.true(verdicts['no-acked-loss']!.ok, verdicts['no-acked-loss']!.violations[0]?.message);
  const during = (r: { t: number }) => r.t > 3 * SECOND && r.t < 8 * SECOND;
  const metadata = records.filter((r) => r.k === 'log' && ['elect', 'offline', 'fence', 'isr-shrink', 'isr-expand', 'controller-activate'].includes(String(r.op)) && during(r));
  t.deepEqual(metadata, [], 'no active controller, no metadata change');
  const acked = records.filter((r) => r.k === 'client' && r.op === 'ack' && during(r));
  t.true(acked.length > 0, 'the partitions keep their leaders: writes are acknowledged meanwhile');
  t.true(records.some((r) => r.k === 'log' && r.op === 'controller-activate' && r.t > 8 * SECOND), 'with a majority back, a controller takes office');
});

/** Runs a drill, keeping its `log` and `client` records. */
function drill(name: string, sets: string[] = []) {
  const records: TraceRecord[] = [];
  const trace = new TraceWriter();
  trace.listen((r) => {
    if (r.k === 'log' || r.k === 'client') records.push(r);
  });
  const summary = execute(prepareRun(loadScenarioFile(join(ROOT, 'scenarios/drills', `${name}.yaml`), sets), { trace }));
  return { summary, records };
}

const METADATA_OPS = ['elect', 'offline', 'fence', 'unfence', 'isr-shrink', 'isr-expand'];

test('drill log-controller-quorum: failover in 1.5 s, the dead broker fenced a session later; no majority, no metadata change; the Raft checkers hold', (t) => {
  const { summary, records } = drill('log-controller-quorum');
  t.true(summary.ok, JSON.stringify(Object.entries(summary.checks).find(([, v]) => !v.ok)));
  const activations = records.filter((r) => r.op === 'controller-activate');
  t.is(activations[0]!.a, 'stream-controller-3', 'hpc-3 hosts the active controller when it crashes');
  const failover = activations.find((r) => r.t > 10 * SECOND)!;
  t.true(failover.t - 10 * SECOND <= 3 * SECOND, `a new active controller ${(failover.t - 10 * SECOND) / MS} ms after the crash`);
  const elect = records.find((r) => r.op === 'elect' && r.t > 10 * SECOND)!;
  t.true(elect.t < 25 * SECOND && elect.a === failover.a, `partition 2 re-elected at ${elect.t}`);
  const quiet = records.filter((r) => METADATA_OPS.includes(String(r.op)) && r.t > 50 * SECOND && r.t < 70 * SECOND);
  t.deepEqual(quiet, [], 'two controllers down: no metadata change');
  t.true(records.some((r) => r.k === 'client' && r.op === 'ack' && r.t > 55 * SECOND && r.t < 70 * SECOND), 'the data path goes on');
  t.true(activations.some((r) => r.t > 70 * SECOND));
  const metric = summary.metrics['controller'] as { failovers: number; takeover: { maxUs: number }; firstMetadataChange: { count: number; maxUs: number } };
  t.is(metric.failovers, 2, 'the crash at 10 s, and the majority back at 70 s');
  t.true(metric.takeover.maxUs > 19 * SECOND && metric.takeover.maxUs < 21 * SECOND, `${metric.takeover.maxUs}`);
  t.true(metric.firstMetadataChange.count >= 1 && metric.firstMetadataChange.maxUs >= 11 * SECOND, JSON.stringify(metric.firstMetadataChange));

  const single = drill('log-controller-quorum', ['services.stream.controllers=[hpc-3]', 'faults[1].target=[stream-controller]']);
  t.true(single.summary.ok);
  t.deepEqual(single.records.filter((r) => METADATA_OPS.includes(String(r.op)) && r.t > 10 * SECOND && r.t < 40 * SECOND), [], 'a single controller down: nobody elects');
});
