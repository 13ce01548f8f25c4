/**
 * A checkpoint store: the actor behind a remote storage tier (a site's parallel file system, an
 * object store across the WAN; `log-topic` where no log service holds it, as for the federated
 * server, whose section names a store node). Operators reach it over the simulated network,
 * so a checkpoint costs the transfer over every link on the way plus the store's own disk.
 *
 * Guarantee: a `put` is acknowledged only after an fsync that covers it has completed, so an
 * acknowledged checkpoint survives any crash of the store's node. Puts that arrive while an fsync
 * is in flight ride on the next one (group commit). A `get` returns the chain ending at the asked
 * id (that entry and its incremental bases back to a full one), or nothing if the chain is broken;
 * a `head` the id of the newest entry whose chain is whole, without its data (the index a
 * multilevel restart reads first to find which level holds the newest checkpoint).
 * Retention is the catalog's (`catalog.ts`), as each put asks: the whole history (uncoordinated
 * checkpointing searches it for a recovery line), or the recent entries plus the chain of the
 * last complete global checkpoint.
 *
 * How it breaks: the store is one actor on one node — while its node is down, saves and restores
 * through it wait (clients re-send their requests), and the tier's failure domain is that node's.
 * A full disk refuses a put (`ok: false`), and the operator's checkpoint fails (a coordinated
 * operator declines it, and the coordinator aborts that global checkpoint). Shown by
 * test/features/checkpoint/coordinated-pause.test.ts (a `disk-full` fault on a store's node).
 */
import type { Actor, Context, Wakeup } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import { CheckpointCatalog, checkpointFile, keyOfFile, oldestFirst } from './catalog.ts';
import type { StoredCheckpoint } from './image.ts';
import { CONTROL_BYTES, type GetReply, type HeadReply, type Put, type PutAck, type ToStore } from './messages.ts';

interface PendingAck {
  readonly to: string;
  readonly req: number;
  readonly key: string;
  readonly entry: StoredCheckpoint;
}

export class CheckpointStore implements Actor<ToStore> {
  private readonly catalog = new CheckpointCatalog();
  private waiting: PendingAck[] = [];
  private inFlight: PendingAck[] = [];
  private flushing = false;

  start(ctx: Context): void {
    this.recover(ctx);
  }

  /** Rebuilds the catalog from what survived on disk. */
  recover(ctx: Context): void {
    const read: { key: string; entry: StoredCheckpoint }[] = [];
    for (const file of ctx.disk.files()) {
      const key = keyOfFile(file);
      const entry = ctx.disk.get(file) as StoredCheckpoint | undefined;
      if (key !== undefined && entry !== undefined) read.push({ key, entry });
    }
    for (const { key, entry } of oldestFirst(read)) this.catalog.add(key, entry, { all: true });
  }

  onMessage(ctx: Context, message: ToStore, from: string): void {
    if (message.type === 'ckpt:put') this.put(ctx, message, from);
    else if (message.type === 'ckpt:get') {
      const chain = this.catalog.chain(message.key, message.id);
      const last = chain?.[chain.length - 1];
      assert(last === undefined || message.id === 'latest' || last.id === message.id, () => `checkpoint store: a get answers the asked id, but #${last!.id} for #${message.id}`);
      const bytes = CONTROL_BYTES + (chain ?? []).reduce((sum, entry) => sum + entry.bytes, 0);
      ctx.send<GetReply>(from, { type: 'ckpt:get-reply', req: message.req, chain }, { bytes });
    } else if (message.type === 'ckpt:head') {
      ctx.send<HeadReply>(from, { type: 'ckpt:head-reply', req: message.req, newest: this.catalog.chain(message.key, 'latest')?.at(-1)?.id });
    }
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'ckpt:store-synced') this.synced(ctx);
  }

  private put(ctx: Context, message: Put, from: string): void {
    const { key, entry } = message;
    if (!ctx.disk.put(checkpointFile(key, entry.id), entry, entry.bytes)) {
      ctx.send<PutAck>(from, { type: 'ckpt:put-ack', req: message.req, ok: false });
      return;
    }
    for (const id of this.catalog.add(key, entry, message.retention)) ctx.disk.delete(checkpointFile(key, id));
    this.waiting.push({ to: from, req: message.req, key, entry });
    if (!this.flushing) this.flush(ctx);
  }

  private flush(ctx: Context): void {
    this.flushing = true;
    this.inFlight = this.waiting;
    this.waiting = [];
    ctx.disk.fsync({ name: 'ckpt:store-synced' });
  }

  private synced(ctx: Context): void {
    // Puts are acknowledged only by the fsync issued after them.
    assert(this.flushing, 'checkpoint store: an fsync completes only while one is in flight');
    this.flushing = false;
    for (const ack of this.inFlight) {
      ctx.record('ckpt', { op: 'stored', key: ack.key, id: ack.entry.id, bytes: ack.entry.bytes, totalBytes: this.catalog.totalBytes() });
      ctx.send<PutAck>(ack.to, { type: 'ckpt:put-ack', req: ack.req, ok: true });
    }
    this.inFlight = [];
    if (this.waiting.length > 0) this.flush(ctx);
  }
}
