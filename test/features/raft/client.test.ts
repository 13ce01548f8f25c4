/**
 * The teaching client's guarantee and its breaks, against scripted servers: one command out, a
 * reply recorded only for it and never twice; a command that times out is sent to the next node,
 * so two servers propose it (no client sessions); and a restarted client numbers its commands from
 * #0 again, so a late reply to the crashed incarnation's command is taken for the new one's.
 */
import test from 'ava';
import type { Context } from '../../../src/kernel/contract/index.ts';
import { MS, SECOND, type Micros, type TraceRecord } from '../../../src/kernel/index.ts';
import { RaftClient, type ClientReply, type ClientRequest } from '../../../src/features/raft/actors/index.ts';
import { World } from '../../../src/world/index.ts';

/** A server that answers every command `ok` after `delayUs`, its value how many commands it has answered. */
function scriptedServer(delayUs: Micros, received: string[]) {
  let applied = 0;
  return () => ({
    onMessage: (ctx: Context, request: ClientRequest, from: string) => {
      received.push(`${ctx.self}:${request.command.id}@${ctx.now()}`);
      ctx.setTimer(delayUs, 'reply', { to: from, id: request.command.id });
    },
    onTimer: (ctx: Context, { data }: { data?: unknown }) => {
      const { to, id } = data as { to: string; id: string };
      ctx.send<ClientReply>(to, { type: 'raft-client-reply', id, ok: true, value: ++applied });
    },
  });
}

function clientRun(options: { delays: readonly Micros[]; timeoutUs: Micros; stopUs: Micros; crash?: { at: Micros; for: Micros } }) {
  const world = new World({ seed: 1 });
  world.addSite('dc', { nodes: 1 + options.delays.length });
  const received: string[] = [];
  const servers = options.delays.map((_, i) => `s${i}`);
  servers.forEach((id, i) => world.spawn(id, `dc-${i + 2}`, scriptedServer(options.delays[i]!, received)));
  world.spawn('client', 'dc-1', () => new RaftClient({ servers, everyUs: 100 * MS, timeoutUs: options.timeoutUs, keys: 1, stopUs: options.stopUs }));
  if (options.crash !== undefined) {
    world.at(options.crash.at, 'client down', () => world.crashNode('dc-1', 'test'));
    world.at(options.crash.at + options.crash.for, 'client back', () => world.restartNode('dc-1', 'test'));
  }
  const replies: TraceRecord[] = [];
  world.trace.listen((r) => {
    if (r.op === 'raft-reply') replies.push(r);
  });
  world.run({ until: 5 * SECOND });
  return { replies, received };
}

test('a command that times out goes to the next node: both servers propose it, the client records one reply, the other is ignored', (t) => {
  const { replies, received } = clientRun({ delays: [1500 * MS, 0], timeoutUs: SECOND, stopUs: 150 * MS });
  t.deepEqual(received.map((r) => r.split('@')[0]), ['s0:client#0', 's1:client#0'], 'sent again after the timeout: applied twice, no sessions');
  t.is(replies.length, 1, 's0\'s late reply is not recorded a second time');
  t.like(replies[0], { id: 'client#0', ok: true, value: 1 });
  t.true(replies[0]!.t < 1500 * MS, 'the reply recorded is s1\'s');
});

test('a restarted client numbers from #0 again: a late reply to the crashed incarnation\'s command is taken for the new one\'s', (t) => {
  const { replies, received } = clientRun({ delays: [1500 * MS], timeoutUs: 10 * SECOND, stopUs: 750 * MS, crash: { at: 500 * MS, for: 100 * MS } });
  t.deepEqual(received.map((r) => r.split('@')[0]), ['s0:client#0', 's0:client#0']);
  const resentAt = Number(received[1]!.split('@')[1]);
  t.is(replies.length, 1);
  // s0 takes 1.5 s to answer: a reply sooner after the new command was sent answers the old one.
  t.true(replies[0]!.t < resentAt + 1500 * MS, `reply at ${replies[0]!.t} µs for a command sent at ${resentAt} µs`);
  t.like(replies[0], { id: 'client#0', value: 1 });
});
