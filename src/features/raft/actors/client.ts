/**
 * The teaching feature's client: it adds 1 to one of `keys` counters every `everyUs`, sending each
 * command to the node it believes leads, following redirects, and trying the next node when a
 * request goes unanswered for `timeoutUs`. One command at a time; a command that times out is sent
 * again (so it may be applied twice).
 *
 * Guarantee: at most one command out at a time, and a `raft-reply` is recorded only for that
 * command, once a server answered it `ok` — committed and applied, with the value it gave; a
 * redirect or a silent server never makes it give a command up: it asks the next node until one
 * answers. No new command is sent at or after `stopUs`.
 *
 * How it breaks: there are no client sessions, so a command whose reply was lost or late is
 * proposed again and applied twice (a counter moves by 2); a command in flight when the client
 * crashes is forgotten, and its restarted incarnation numbers commands from `#0` again, so a late
 * reply to the old incarnation's command can be taken for the new one's. While no majority can
 * elect a leader the command waits, retried every `timeoutUs`. Shown by
 * test/features/raft/client.test.ts (against scripted servers: a timed-out command proposed by
 * two, one reply recorded; a restart's `#0` taking the old one's reply) and drills.test.ts (leader
 * crash: the client waits out the failover, and the command out at the crash is applied at two log
 * indices on every node, its counter moving by 2 — once each without the crash; majority loss:
 * nothing commits, progress resumes).
 *
 * Trace records (kind `client`): `raft-request` (id, to) and `raft-reply` (id, ok, value,
 * latencyUs), which the raft metric counts.
 */
import type { Actor, Context, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import type { KvCommand } from './kv-machine.ts';
import type { ClientReply, ClientRequest } from './server.ts';

export interface RaftClientConfig {
  readonly servers: readonly string[];
  readonly everyUs: Micros;
  readonly timeoutUs: Micros;
  readonly keys: number;
  /** No new command after this time (the final phase lets the cluster settle). */
  readonly stopUs: Micros;
}

export class RaftClient implements Actor {
  private target = 0;
  private sent = 0;
  private current: { command: KvCommand; since: Micros } | undefined;
  private timeout: TimerId | undefined;

  constructor(private readonly config: RaftClientConfig) {}

  start(ctx: Context): void {
    ctx.setTimer(this.config.everyUs, 'next');
  }

  onMessage(ctx: Context, reply: ClientReply): void {
    if (reply.type !== 'raft-client-reply' || this.current?.command.id !== reply.id) return;
    if (this.timeout !== undefined) ctx.cancelTimer(this.timeout);
    this.timeout = undefined;
    if (!reply.ok) {
      const leader = reply.leader === undefined ? -1 : this.config.servers.indexOf(reply.leader);
      this.target = leader >= 0 ? leader : (this.target + 1) % this.config.servers.length;
      // Ask the next node after a short pause, not at once: no leader may be known anywhere yet.
      ctx.setTimer(this.config.everyUs, 'resend', reply.id);
      return;
    }
    ctx.record('client', { op: 'raft-reply', id: reply.id, ok: true, value: reply.value, latencyUs: ctx.now() - this.current.since });
    this.current = undefined;
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'next') {
      if (ctx.now() >= this.config.stopUs) return;
      ctx.setTimer(this.config.everyUs, 'next');
      if (this.current !== undefined) return;
      const n = this.sent++;
      const key = `k${ctx.rng('raft-client-keys').int(0, this.config.keys - 1)}`;
      this.current = { command: { id: `${ctx.self}#${n}`, key, delta: 1 }, since: ctx.now() };
      return this.send(ctx);
    }
    if (this.current === undefined || wakeup.data !== this.current.command.id) return;
    if (wakeup.name === 'timeout') {
      this.timeout = undefined;
      this.target = (this.target + 1) % this.config.servers.length;
    }
    this.send(ctx);
  }

  private send(ctx: Context): void {
    const command = this.current!.command;
    const to = this.config.servers[this.target]!;
    ctx.record('client', { op: 'raft-request', id: command.id, to });
    ctx.send<ClientRequest>(to, { type: 'raft-client-request', command });
    if (this.timeout !== undefined) ctx.cancelTimer(this.timeout);
    this.timeout = ctx.setTimer(this.config.timeoutUs, 'timeout', command.id);
  }
}
