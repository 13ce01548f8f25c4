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
 * An upload larger than `PIECE_BYTES` is written to the device piece by piece, each fsynced before
 * the next is written (as an HDFS DataNode writes a block at a time), and becomes an entry — the
 * catalog's, a `get`'s — only with its last piece; puts that arrive meanwhile ride the next piece's
 * fsync. So a `cancel` (its checkpoint was aborted) stops it at the piece being written: the store
 * deletes what it wrote (`ckpt` `cancelled`), and the device is free for the next checkpoint
 * instead of writing one nobody will restore (Flink cancels an aborted checkpoint's uploads).
 * The cost: one more fsync latency per piece (8 ms on an HDD, 0.26 s of a 4-GiB image's 29 s).
 * Two large uploads at once share the device piece by piece (each fsync covers one piece of each),
 * so the first finishes about when the second does, not a whole upload earlier: that is what the
 * servers modelled do — a Lustre OSS takes concurrent clients' bulk writes as 1–4 MiB RPCs
 * interleaved in one queue (its NRS `crrn` policy makes it an explicit round robin per client), a
 * DataNode writes each block being received on its own thread, an object store takes the parts of
 * many multipart uploads at once. Here the grain is a piece, not an RPC, and the seeks an HDD
 * makes between two interleaved streams are not charged.
 *
 * How it breaks: the store is one actor on one node — while its node is down, saves and restores
 * through it wait (clients re-send their requests), and the tier's failure domain is that node's.
 * A full disk refuses a put (`ok: false`), and the operator's checkpoint fails (a coordinated
 * operator declines it, and the coordinator aborts that global checkpoint); one that fills up in
 * the middle of an upload refuses it too, and its pieces are deleted. A cancel does nothing to an
 * upload whose last piece is written, nor to one not yet arrived (it overtook its put: a reordering
 * link fault), nor to one in a single piece — and a lost cancel leaves the upload to complete,
 * acknowledged to a sender that ignores it. A power loss in the middle of an upload leaves its
 * pieces, which a restart deletes. Shown by test/features/checkpoint/coordinated-pause.test.ts (a
 * `disk-full` fault on a store's node; an aborted checkpoint's 4-GiB upload cancelled, and one
 * whose cancel came after its last piece stored).
 */
import type { Actor, Context, Wakeup } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import { CheckpointCatalog, checkpointFile, keyOfFile, oldestFirst } from './catalog.ts';
import type { StoredCheckpoint } from './image.ts';
import { CONTROL_BYTES, type Cancel, type GetReply, type HeadReply, type Put, type PutAck, type Retention, type ToStore } from './messages.ts';

/** The most of an upload written to the device before an fsync: an HDFS block (`dfs.blocksize`). */
export const PIECE_BYTES = 128 * 1024 * 1024;

/** What an upload's file holds until its last piece replaces it with the entry. */
interface Piece {
  readonly $piece: true;
}
const PIECE: Piece = { $piece: true };

function isEntry(value: unknown): value is StoredCheckpoint {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

/** A put being written: `written` bytes of its entry are in the page cache or on the device. */
interface Upload {
  readonly to: string;
  readonly req: number;
  readonly key: string;
  readonly entry: StoredCheckpoint;
  readonly retention: Retention;
  written: number;
}

export class CheckpointStore implements Actor<ToStore> {
  private readonly catalog = new CheckpointCatalog();
  /** Uploads written whole, waiting for an fsync to acknowledge them; those the fsync in flight covers. */
  private waiting: Upload[] = [];
  private inFlight: Upload[] = [];
  /**
   * Uploads with pieces still to write, in arrival order: a piece waiting for an fsync; a piece the
   * fsync in flight covers — each writes its next once that completes.
   */
  private writing: Upload[] = [];
  private writingInFlight: Upload[] = [];
  private flushing = false;

  start(ctx: Context): void {
    this.recover(ctx);
  }

  /** Rebuilds the catalog from what survived on disk; an upload cut short by a power loss is deleted. */
  recover(ctx: Context): void {
    const read: { key: string; entry: StoredCheckpoint }[] = [];
    for (const file of ctx.disk.files()) {
      const key = keyOfFile(file);
      const entry = ctx.disk.get(file);
      if (key === undefined) continue;
      if (isEntry(entry)) read.push({ key, entry });
      else ctx.disk.delete(file);
    }
    for (const { key, entry } of oldestFirst(read)) this.catalog.add(key, entry, { all: true });
  }

  onMessage(ctx: Context, message: ToStore, from: string): void {
    if (message.type === 'ckpt:put') this.put(ctx, message, from);
    else if (message.type === 'ckpt:cancel') this.cancel(ctx, message);
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
    const { key, entry, retention } = message;
    // A put re-sent while its upload is being written is answered when that upload is.
    if (this.uploading(key, entry.id) !== undefined) return;
    // One re-sent after its entry was written (its ack was late or lost) is the same entry: it is
    // answered by the next fsync, not written again — a rewrite's first piece would replace the
    // stored entry until its last, and a power loss in between would lose an acknowledged checkpoint.
    const upload: Upload = { to: from, req: message.req, key, entry, retention, written: 0 };
    if (this.catalog.has(key, entry.id)) {
      upload.written = entry.bytes;
      this.waiting.push(upload);
    } else if (!this.writePiece(ctx, upload)) return;
    if (!this.flushing) this.flush(ctx);
  }

  /**
   * Puts the upload's next piece in the page cache; its last replaces the file with the entry and
   * catalogues it. False when the disk refused it (full): the upload is then answered `ok: false`
   * and what it wrote is deleted.
   */
  private writePiece(ctx: Context, upload: Upload): boolean {
    const { key, entry } = upload;
    const file = checkpointFile(key, entry.id);
    const rest = entry.bytes - upload.written;
    if (rest > PIECE_BYTES) {
      const first = upload.written === 0;
      if (!(first ? ctx.disk.put(file, PIECE, PIECE_BYTES) : ctx.disk.append(file, PIECE, PIECE_BYTES))) return this.refuse(ctx, upload);
      upload.written += PIECE_BYTES;
      this.writing.push(upload);
      return true;
    }
    if (!ctx.disk.put(file, entry, rest)) return this.refuse(ctx, upload);
    upload.written = entry.bytes;
    for (const id of this.catalog.add(key, entry, upload.retention)) ctx.disk.delete(checkpointFile(key, id));
    this.waiting.push(upload);
    return true;
  }

  private refuse(ctx: Context, upload: Upload): false {
    if (upload.written > 0) ctx.disk.delete(checkpointFile(upload.key, upload.entry.id));
    ctx.send<PutAck>(upload.to, { type: 'ckpt:put-ack', req: upload.req, ok: false });
    return false;
  }

  /** Its checkpoint was aborted: an upload still being written stops at the piece under way, and what it wrote is deleted. */
  private cancel(ctx: Context, message: Cancel): void {
    const found = this.uploading(message.key, message.id);
    if (found === undefined) return;
    found.list.splice(found.list.indexOf(found.upload), 1);
    ctx.disk.delete(checkpointFile(message.key, message.id));
    ctx.record('ckpt', { op: 'cancelled', key: message.key, id: message.id, bytes: found.upload.written });
  }

  /** The upload of `key`'s checkpoint `id` with pieces still to write, and the list that holds it. */
  private uploading(key: string, id: number): { upload: Upload; list: Upload[] } | undefined {
    for (const list of [this.writing, this.writingInFlight]) {
      const upload = list.find((each) => each.key === key && each.entry.id === id);
      if (upload !== undefined) return { upload, list };
    }
    return undefined;
  }

  private flush(ctx: Context): void {
    this.flushing = true;
    this.inFlight = this.waiting;
    this.waiting = [];
    this.writingInFlight = this.writing;
    this.writing = [];
    ctx.disk.fsync({ name: 'ckpt:store-synced' });
  }

  private synced(ctx: Context): void {
    // Puts are acknowledged only by the fsync issued after their last piece.
    assert(this.flushing, 'checkpoint store: an fsync completes only while one is in flight');
    this.flushing = false;
    for (const ack of this.inFlight) {
      ctx.record('ckpt', { op: 'stored', key: ack.key, id: ack.entry.id, bytes: ack.entry.bytes, totalBytes: this.catalog.totalBytes() });
      ctx.send<PutAck>(ack.to, { type: 'ckpt:put-ack', req: ack.req, ok: true });
    }
    this.inFlight = [];
    // Each upload whose piece is now on the device writes its next, in the order they arrived.
    const written = this.writingInFlight;
    this.writingInFlight = [];
    for (const upload of written) this.writePiece(ctx, upload);
    if (this.waiting.length > 0 || this.writing.length > 0) this.flush(ctx);
  }
}
