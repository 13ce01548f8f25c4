/**
 * The producing clients' connection protocol (in-flight-requests.ts), driven directly: which
 * requests the owner gets back, when, how (failed or put back), and in what order — and what an
 * owner that forgets to report an answer breaks. Also the network layer under it (client-network.ts):
 * a broken connection's reconnect backoff and metadata elsewhere, and an owner that never says what
 * it heard.
 */
import test from 'ava';
import { ClientNetwork, InFlightRequests } from '../../../src/features/log/actors/index.ts';
import type { Actor, Context, Disconnect, Message, Wakeup } from '../../../src/kernel/contract/index.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import { World } from '../../../src/world/index.ts';

const TIMEOUT = 30 * SECOND;

type Step = (client: Client, ctx: Context) => void;

/** An owner whose script runs at the given times; it logs what comes back. */
class Client implements Actor<never> {
  readonly log: string[] = [];
  network!: ClientNetwork;
  requests!: InFlightRequests<string>;
  private req = 1000;
  constructor(private readonly script: [number, Step][]) {}
  start(ctx: Context): void {
    this.network = new ClientNetwork(['b1', 'b2'], TIMEOUT, 100_000, () => ++this.req);
    const at = (ctx: Context): string => `${ctx.now() / SECOND}s`;
    this.requests = new InFlightRequests(this.network, TIMEOUT, 'deadline', {
      lost: (ctx, broker, requests) => this.log.push(`${at(ctx)} ${broker} ${requests.map((r) => `${r.request} ${r.outcome}`).join(', ')}`),
    });
    this.script.forEach(([atUs], i) => ctx.setTimer(atUs, 'step', i));
  }
  onMessage(): void {}
  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'step') this.script[wakeup.data as number]![1](this, ctx);
    else this.requests.onTimer(ctx, wakeup);
  }
  send(ctx: Context, req: number, broker: string): void {
    this.requests.add(ctx, req, broker, `r${req}`);
  }
  disconnect(ctx: Context, disconnect: Disconnect): void {
    this.requests.disconnected(ctx, disconnect);
  }
}

/** Runs the script; `received` is what the brokers got (`<time>s <broker> <type>`). */
function run(script: [number, Step][], until = 120 * SECOND, received: string[] = []): Client {
  const world = new World({ seed: 1 });
  world.addSite('dc', { nodes: ['n', 'n1', 'n2'] });
  // Brokers that never answer: the script says what the client hears.
  for (const [b, node] of [['b1', 'n1'], ['b2', 'n2']] as const) {
    world.spawn(b, node, () => ({ start() {}, onMessage: (ctx: Context, m: Message) => void received.push(`${ctx.now() / SECOND}s ${b} ${m.type}`) }));
  }
  let client!: Client;
  world.spawn('c', 'n', () => (client = new Client(script)));
  world.run({ until });
  return client;
}

test('a timed-out request closes its connection: every request to that broker fails with it, in the order sent, once; others are untouched', (t) => {
  const client = run([
    [0, (c, ctx) => (c.network.heard('b1'), c.network.heard('b2'), c.send(ctx, 1, 'b1'), c.send(ctx, 3, 'b2'))],
    [SECOND, (c, ctx) => c.send(ctx, 2, 'b1')],
    [2 * SECOND, (c) => t.is(c.requests.answered(3), 'r3')],
    [31 * SECOND, (c) => (t.false(c.network.connections.isReady('b1')), t.is(c.requests.count('b1'), 0))],
  ]);
  t.deepEqual(client.log, ['30s b1 r1 request-timed-out, r2 request-timed-out']);
});

test('over a new connection: one request at a time; not heard from by the set-up deadline, every request to the broker goes back unattempted; heard from, it waits out its own timeout', (t) => {
  let readyAt = 0;
  const client = run([
    [0, (c, ctx) => {
      c.send(ctx, 1, 'b1');
      // Nothing heard from b1: the one request stands for the connection attempt.
      t.false(c.requests.maySend('b1', 5));
      c.send(ctx, 2, 'b2');
    }],
    // b2 answers something else: its connection is up, more may go, and request 2 keeps its 30 s.
    [SECOND, (c, ctx) => (c.network.heard('b2'), t.true(c.requests.maySend('b2', 5)), c.send(ctx, 3, 'b2'))],
    // The set-up failure put b1 in reconnect backoff (reconnect.backoff.ms 50 ms ± 20 %).
    [13 * SECOND, (c) => (readyAt = c.network.connections.readyAt('b1'))],
  ]);
  // At the set-up deadline: 10 s ± 20 %.
  const [putBack, ...rest] = client.log;
  const setupAt = parseFloat(putBack!) * SECOND;
  t.true(putBack!.endsWith(' b1 r1 put-back') && setupAt >= 8 * SECOND && setupAt <= 12 * SECOND, putBack);
  t.true(readyAt - setupAt >= 40 * MS && readyAt - setupAt <= 60 * MS, `reconnect backoff ${readyAt - setupAt} µs`);
  t.deepEqual(rest, ['30s b2 r2 request-timed-out, r3 request-timed-out']);
});

test('a broken connection: a refused connection attempt goes back unattempted, requests over a working connection fail', (t) => {
  const client = run([
    [0, (c, ctx) => (c.network.heard('b2'), c.send(ctx, 1, 'b1'), c.send(ctx, 2, 'b2'), c.send(ctx, 3, 'b2'))],
    [SECOND, (c, ctx) => c.disconnect(ctx, { peer: 'b1', cause: 'refused' })],
    [2 * SECOND, (c, ctx) => c.disconnect(ctx, { peer: 'b2', cause: 'closed' })],
  ]);
  t.deepEqual(client.log, ['1s b1 r1 put-back', '2s b2 r2 network-exception, r3 network-exception']);
});

test('a refused connection attempt with requests sent after it over the connection: the owner gets them in one list, in send order, each with its outcome', (t) => {
  const client = run([
    // r1 is the connection attempt; b1 is then heard from (another answer), and r2, r3 go over the connection.
    [0, (c, ctx) => (c.send(ctx, 1, 'b1'), c.network.heard('b1'), c.send(ctx, 2, 'b1'), c.send(ctx, 3, 'b1'))],
    [SECOND, (c, ctx) => c.disconnect(ctx, { peer: 'b1', cause: 'refused' })],
  ]);
  t.deepEqual(client.log, ['1s b1 r1 put-back, r2 network-exception, r3 network-exception']);
});

test('walking the requests in flight: in the order sent, one forgotten during the walk — the one visited or one ahead — is not visited again or at all; a timeout after the walk takes only those left', (t) => {
  const walked: string[] = [];
  const client = run([
    [0, (c, ctx) => (c.network.heard('b1'), c.network.heard('b2'), [1, 2, 3, 4, 5].forEach((req) => c.send(ctx, req, req === 2 ? 'b2' : 'b1')))],
    [SECOND, (c) => {
      t.is(c.requests.answered(3), 'r3');
      for (const [req, request] of c.requests) {
        walked.push(request);
        // As the sink backs a lane off: the one visited leaves, and (here) one further ahead with it.
        if (req === 1) c.requests.forget(1);
        if (req === 2) c.requests.forget(4);
      }
      t.false(c.requests.has(1));
      t.true(c.requests.has(2) && c.requests.has(5) && !c.requests.has(4));
      t.is(c.requests.count('b1'), 1);
    }],
  ]);
  t.deepEqual(walked, ['r1', 'r2', 'r5']);
  t.deepEqual(client.log, ['30s b2 r2 request-timed-out', '30s b1 r5 request-timed-out']);
});

test('breaks: an owner that does not report an answer has it fail at its deadline, taking a later request to the same broker with it', (t) => {
  const client = run([
    [0, (c, ctx) => (c.network.heard('b1'), c.send(ctx, 1, 'b1'))],
    // Request 1 was answered at 1 s, but the owner never said so (no `answered(1)`).
    [20 * SECOND, (c, ctx) => c.send(ctx, 2, 'b1')],
  ]);
  // Request 2 had until 50 s; it fails at 30 s with the forgotten one.
  t.deepEqual(client.log, ['30s b1 r1 request-timed-out, r2 request-timed-out']);
});

test('network layer: a broken connection puts the broker in reconnect backoff and metadata is asked of another broker', (t) => {
  const received: string[] = [];
  run([
    [0, (c) => (c.network.heard('b1'), c.network.heard('b2'))],
    [SECOND, (c, ctx) => {
      t.is(c.network.disconnected(ctx, 'b1'), 100 * MS, 'retry.backoff.ms, longer than the first reconnect backoff');
      const backoffUs = c.network.connections.readyAt('b1') - SECOND;
      t.true(backoffUs >= 40 * MS && backoffUs <= 60 * MS, `reconnect backoff ${backoffUs} µs: 50 ms ± 20 %`);
      t.false(c.network.connections.isReady('b1'), 'no working connection to b1');
    }],
  ], 2 * SECOND, received);
  t.deepEqual(received.filter((r) => r.endsWith('metadata')).map((r) => r.split(' ')[1]), ['b2']);
});

test('network layer breaks: an owner that never reports what it heard keeps the set-up deadline (10 s) on a broker that answers', (t) => {
  run([
    [0, (c, ctx) => {
      // b1 answered something, but the owner did not say so: its next request still counts as a connection attempt.
      const { timeoutUs, setup } = c.network.connections.deadline(ctx, 'b1', TIMEOUT);
      t.true(setup && timeoutUs >= 8 * SECOND && timeoutUs <= 12 * SECOND, `set-up deadline ${timeoutUs} µs: 10 s ± 20 %`);
      c.send(ctx, 1, 'b1');
      t.false(c.requests.maySend('b1', 5), 'one request at a time');
      c.network.heard('b1');
      t.deepEqual(c.network.connections.deadline(ctx, 'b1', TIMEOUT), { timeoutUs: TIMEOUT, setup: false });
    }],
  ], SECOND);
});

test('network layer: reconnect backoffs and connection set-up timeouts are spread ±20 % at random, as Kafka\'s ClusterConnectionStates spreads them (KIP-144, KIP-601)', (t) => {
  const backoffs: number[] = [];
  const setups: number[] = [];
  run([
    [SECOND, (c, ctx) => {
      for (let i = 0; i < 20; i++) {
        // A working connection that breaks: the first reconnect backoff (50 ms) each time.
        c.network.heard('b1');
        c.network.disconnected(ctx, 'b1');
        backoffs.push(c.network.connections.readyAt('b1') - ctx.now());
        // A new connection after a timed-out request: the first set-up timeout (10 s) each time.
        c.network.heard('b2');
        c.network.timedOut(ctx, 'b2');
        setups.push(c.network.connections.deadline(ctx, 'b2', TIMEOUT).timeoutUs);
      }
    }],
  ], 2 * SECOND);
  t.true(backoffs.every((us) => us >= 40 * MS && us <= 60 * MS), `reconnect backoffs ${Math.min(...backoffs)}–${Math.max(...backoffs)} µs`);
  t.true(setups.every((us) => us >= 8 * SECOND && us <= 12 * SECOND), `set-up timeouts ${Math.min(...setups)}–${Math.max(...setups)} µs`);
  t.true(new Set(backoffs).size > 10 && new Set(setups).size > 10, 'drawn at random, not one fixed value');
});
