/**
 * Where the controller's metadata records go: the interface between the controller's decisions and
 * the log that makes them durable, and its single-controller implementation over the local
 * `Journal` (a quorum's goes through Raft: `quorum-log.ts`).
 *
 * Guarantee (every implementation): `whenCommitted` runs its callback only once every record
 * appended before it is committed — fsynced on the controller's disk here, on a majority of the
 * quorum there — so nothing the controller tells another actor can be forgotten. Callbacks run in
 * the order they were queued.
 *
 * How it fails: `append` returns false when the record was not taken (a full disk here); the
 * controller then halts rather than act on a decision it could forget. Shown by
 * test/features/log/disconnect.test.ts (a `disk-full` fault on the controller's node: halted at its
 * first decision, no leader elected again, no `final-read`).
 */
import type { Context, Disk } from '../../../kernel/contract/index.ts';
import { Journal } from './journal.ts';
import type { MetadataRecord, MetadataSnapshot } from './metadata-image.ts';

export interface MetadataLog {
  /** Appends a record after the controller applied it to its image; false if it was refused. */
  append(ctx: Context, record: MetadataRecord): boolean;
  /** Runs `then` once everything appended so far is committed. */
  whenCommitted(then: () => void): void;
  /** Called once at the end of every handler: starts making what it appended durable. */
  flush(ctx: Context, snapshot: () => MetadataSnapshot): void;
}

/** A single controller's metadata log: its journal, group-committed and compacted into snapshots. */
export class JournalMetadataLog implements MetadataLog {
  private readonly journal: Journal<MetadataRecord>;

  constructor(disk: Disk) {
    this.journal = new Journal(disk);
  }

  /** The snapshot and records on disk, to rebuild the image from after a restart. */
  contents(): { snapshot: unknown; records: readonly MetadataRecord[] } {
    return this.journal.contents();
  }

  append(_ctx: Context, record: MetadataRecord): boolean {
    return this.journal.write(record);
  }

  whenCommitted(then: () => void): void {
    this.journal.whenDurable(then);
  }

  flush(ctx: Context, snapshot: () => MetadataSnapshot): void {
    this.journal.maybeCompact(snapshot);
    this.journal.commit(ctx);
  }

  /** The journal's fsync completed (the controller's `journal-synced` timer). */
  synced(ctx: Context): void {
    this.journal.synced(ctx);
  }
}
