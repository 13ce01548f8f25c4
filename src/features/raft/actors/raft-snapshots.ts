/**
 * Raft snapshots (KIP-630): every `snapshotRecords` applied entries the node compacts its log into
 * the state machine's snapshot; a follower whose next entry was compacted away fetches the leader's
 * snapshot, installs it and resumes fetching after it.
 *
 * Guarantee: a snapshot holds exactly the entries applied up to its index; a follower installs one
 * only if it is ahead of both its own snapshot and what it applied, and only from the leader of its
 * term, and only the snapshot the leader still holds under that id.
 *
 * How it fails: a snapshot request to a node that no longer leads, or for a snapshot replaced
 * since, gets an answer without a snapshot; the follower fetches again and learns the new one.
 */
import type { Context } from '../../../kernel/contract/index.ts';
import { digestOf } from '../../../kernel/contract/index.ts';
import type { FetchSnapshotRequest, FetchSnapshotResponse } from './messages.ts';
import { HEADER_BYTES } from './raft-core.ts';
import { RaftReplication } from './raft-replication.ts';

export abstract class RaftSnapshots<C, R = unknown> extends RaftReplication<C, R> {
  protected override maybeSnapshot(ctx: Context): void {
    const every = this.options.snapshotRecords;
    if (every <= 0 || this.lastApplied - this.log.snapIndex < every) return;
    const index = this.lastApplied;
    const state = this.machine.snapshot();
    this.log.compact({ index, term: this.log.termAt(index)!, chain: this.log.chainAt(index)!, state });
    this.record(ctx, 'raft-snapshot', { index, term: this.log.snapshot!.term, chain: this.log.snapshot!.chain, digest: digestOf(state) });
    this.sync(ctx);
  }

  protected onFetchSnapshot(ctx: Context, request: FetchSnapshotRequest, from: string): void {
    if (request.term > this.currentTerm) this.stepDown(ctx, request.term, undefined);
    const snapshot = this.roleNow === 'leader' && request.term === this.currentTerm ? this.log.snapshot : undefined;
    const current = snapshot !== undefined && snapshot.index === request.snapshot.index && snapshot.term === request.snapshot.term;
    ctx.send<FetchSnapshotResponse>(
      from,
      { type: 'raft-fetch-snapshot-resp', group: this.options.group, term: this.currentTerm, leader: this.leader, ...(current ? { snapshot } : {}) },
      { bytes: HEADER_BYTES + (current ? this.options.entryBytes * 16 : 0) },
    );
  }

  protected onFetchSnapshotResponse(ctx: Context, response: FetchSnapshotResponse, from: string): void {
    if (!this.acceptFromLeader(ctx, response.term, response.leader, from)) return;
    this.disarm(ctx, 'refetch');
    const snapshot = response.snapshot;
    if (snapshot !== undefined && snapshot.index > this.log.snapIndex && snapshot.index > this.lastApplied) {
      this.log.install(snapshot);
      this.durableIndex = Math.min(this.durableIndex, this.log.snapIndex);
      if (this.inFlight !== undefined) this.inFlight.index = Math.min(this.inFlight.index, this.log.snapIndex);
      this.machine.restore(snapshot.state);
      this.commitIndex = this.lastApplied = snapshot.index;
      this.record(ctx, 'raft-install', { index: snapshot.index, term: snapshot.term, chain: snapshot.chain, lastIndex: this.log.lastIndex(), digest: digestOf(snapshot.state) });
      this.sync(ctx);
    }
    this.whenDurable(ctx, () => this.sendFetch(ctx));
  }
}
