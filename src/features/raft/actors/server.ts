/**
 * A replica of the teaching feature's counter service: an actor hosting one `RaftNode` with the
 * counter machine, which answers clients. A request to a node that does not lead is answered with
 * the leader it knows of; the leader replies once the command is applied, which happens only after
 * it is committed. A leader that loses its leadership drops its pending replies: the client times
 * out and asks again (the command may then be applied twice — at-least-once, as a Raft service
 * without client sessions is; the Raft checkers judge the log, not the client).
 *
 * Guarantee: a reply `ok` means the command is committed (on a majority, durably).
 */
import type { Actor, Context, Message, Wakeup } from '../../../kernel/contract/index.ts';
import type { RaftOptions } from './config.ts';
import { CounterMachine, type KvCommand } from './kv-machine.ts';
import { RaftNode } from './raft-node.ts';

export interface ClientRequest extends Message {
  readonly type: 'raft-client-request';
  readonly command: KvCommand;
}

export interface ClientReply extends Message {
  readonly type: 'raft-client-reply';
  readonly id: string;
  readonly ok: boolean;
  /** The new value (when ok). */
  readonly value?: number;
  /** Where to ask instead (when not ok), if the node knows a leader. */
  readonly leader?: string;
}

export class RaftServer implements Actor {
  private readonly raft: RaftNode<KvCommand, number>;
  /** Index → the client waiting for it and its command id (leader only). */
  private readonly pending = new Map<number, { client: string; id: string }>();

  constructor(options: RaftOptions) {
    this.raft = new RaftNode<KvCommand, number>(options, new CounterMachine(), {
      onApplied: (ctx, index, command, value) => this.applied(ctx, index, command, value),
      onFollower: () => this.pending.clear(),
    });
  }

  start(ctx: Context): void {
    this.raft.start(ctx);
  }

  inspect(): unknown {
    return this.raft.inspect();
  }

  recover(ctx: Context): void {
    this.raft.start(ctx);
  }

  onMessage(ctx: Context, message: Message, from: string): void {
    if (this.raft.handles(message)) return this.raft.onMessage(ctx, message, from);
    if (message.type !== 'raft-client-request') return;
    const { command } = message as ClientRequest;
    const result = this.raft.propose(ctx, command);
    if (result.ok) this.pending.set(result.index, { client: from, id: command.id });
    else ctx.send<ClientReply>(from, { type: 'raft-client-reply', id: command.id, ok: false, ...(result.leader === undefined ? {} : { leader: result.leader }) });
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (this.raft.handlesTimer(wakeup)) this.raft.onTimer(ctx, wakeup);
  }

  private applied(ctx: Context, index: number, command: KvCommand, value: number): void {
    const waiting = this.pending.get(index);
    if (waiting === undefined) return;
    this.pending.delete(index);
    // Another command at this index (a new leader overwrote the entry) is not the one the client asked for.
    if (waiting.id !== command.id) return;
    ctx.send<ClientReply>(waiting.client, { type: 'raft-client-reply', id: command.id, ok: true, value });
  }
}
