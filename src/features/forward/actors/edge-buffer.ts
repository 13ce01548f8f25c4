/**
 * The edge buffer: a bounded, durable queue of events at an edge site, filled by instruments and
 * drained by the forwarder toward the next tier.
 *
 * Durability: every accepted event is appended to a segment file on the node's disk; the forwarder
 * acknowledges an instrument only after an fsync covering it (group commit), so an acknowledged
 * event survives a power loss. Segments are deleted once every event in them has been acknowledged
 * by the next tier. The buffer's bookkeeping of what was planned, forwarded and dropped lives in
 * the forwarder's state file (see forwarder.ts); `recover` rebuilds the queue from both, skipping
 * a record torn by a power loss (an unsynced write: its event was never acknowledged).
 *
 * Capacity counts every event not yet acknowledged by the next tier, planned or not. When an event
 * does not fit, the overflow policy decides (config.ts): refuse it (`block`), evict the oldest
 * events not yet handed to the next tier (`drop-oldest`), or put it on the slower spill disk
 * (`spill`, then block when that is full too). Eviction never touches events in flight: those may
 * already be stored upstream.
 *
 * De-duplication at intake: an instrument that retries a request whose acknowledgement was lost
 * re-sends event ids the buffer already holds; those are acknowledged again, not stored twice. The
 * buffer remembers the ids it holds and the last `RECENT_IDS` ids it released; a retry that arrives
 * later than that — after its event was forwarded and released, across a restart of the
 * forwarder (the memory of released ids is not durable) — is stored again (a duplicate).
 *
 * Guarantee: the fast tier never holds more than `capacityBytes`, nor the spill disk more than
 * `spillBytes`; an offer is taken whole or refused whole; an event handed to the next tier
 * (planned) is never evicted; an id held, or among the last `RECENT_IDS` released, is never stored
 * twice; and events are planned in the order they were taken.
 *
 * How it breaks: `drop-oldest` evicts events that were taken (and acknowledged once fsynced) when
 * a long outage fills it; a retry later than `RECENT_IDS` releases, or after a restart, stores its
 * event a second time; a full disk is not modelled as a refusal — the write throws. Shown by
 * test/features/forward/edge-buffer.test.ts and the overflow tests of forward.test.ts.
 */
import type { Disk, Micros } from '../../../kernel/contract/index.ts';
import { SECOND, assert, isTornRecord } from '../../../kernel/contract/index.ts';
import { batchSizeInBytes } from '../../log/actors/index.ts';
import type { EdgeBufferConfig } from './config.ts';

/** Events per segment file. */
const SEGMENT_EVENTS = 256;
/** Released ids remembered for de-duplicating late retries. */
const RECENT_IDS = 4096;

export interface BufferedEvent {
  /** The buffer's own sequence number: its position in the buffer, never reused. */
  readonly seq: number;
  readonly id: string;
  readonly bytes: number;
  readonly spilled: boolean;
}

export type OfferResult =
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'blocked' }
  /** Accepted; `writtenAt` is when the spill disk finishes writing it (now for the fast tier). */
  | { readonly kind: 'accepted'; readonly writtenAt: Micros; readonly dropped: readonly BufferedEvent[] };

export class EdgeBuffer {
  /** Live events (not yet acknowledged by the next tier), in seq order; planned ones first. */
  private entries: BufferedEvent[] = [];
  /** How many of `entries` (from the front) are planned for forwarding. */
  private plannedCount = 0;
  private nextSeq = 0;
  private fastBytes = 0;
  private spillBytes = 0;
  private readonly held = new Set<string>();
  private readonly recent = new Set<string>();
  private spillBusyUntil: Micros = 0;

  constructor(
    private readonly config: EdgeBufferConfig,
    private readonly disk: Disk,
  ) {}

  /** Rebuilds the queue after a restart: `plannedIds` are in flight, and before `nextUnplanned` everything else was forwarded or dropped. */
  recover(nextUnplanned: number, plannedIds: ReadonlySet<string>): void {
    for (const file of this.disk.files()) {
      if (!file.startsWith('seg-')) continue;
      for (const record of this.disk.read(file) ?? []) {
        // A write torn by a power loss was never fsynced, so its event was never acknowledged.
        if (isTornRecord(record)) continue;
        const event = record as BufferedEvent;
        this.nextSeq = Math.max(this.nextSeq, event.seq + 1);
        if (event.seq < nextUnplanned && !plannedIds.has(event.id)) continue;
        this.entries.push(event);
        this.held.add(event.id);
        if (event.spilled) this.spillBytes += event.bytes;
        else this.fastBytes += event.bytes;
      }
    }
    this.entries.sort((x, y) => x.seq - y.seq);
    this.plannedCount = this.entries.filter((e) => e.seq < nextUnplanned).length;
    // Sequence numbers are never reused: the next one follows everything on disk, planned or not.
    assert(nextUnplanned <= this.nextSeq || this.entries.length === 0, () => `edge buffer: the state file's next unplanned seq ≤ next seq after recovery, but ${nextUnplanned} > ${this.nextSeq}`);
  }

  /** Takes a request's events in, or says why not. All or nothing. */
  offer(ids: readonly string[], eventBytes: number, now: Micros): OfferResult {
    const fresh = ids.filter((id) => !this.held.has(id) && !this.recent.has(id));
    if (fresh.length === 0) return { kind: 'duplicate' };
    const bytes = fresh.length * eventBytes;
    const dropped: BufferedEvent[] = [];
    let spilled = false;
    if (this.fastBytes + bytes > this.config.capacityBytes) {
      if (this.config.overflow === 'drop-oldest') {
        if (!this.evictFor(bytes, dropped)) return { kind: 'blocked' };
      } else if (this.config.overflow === 'spill' && this.spillBytes + bytes <= this.config.spillBytes) {
        spilled = true;
      } else {
        return { kind: 'blocked' };
      }
    }
    let writtenAt = now;
    if (spilled) {
      this.spillBusyUntil = Math.max(now, this.spillBusyUntil) + Math.ceil((bytes * SECOND) / this.config.spillBandwidthBytesPerSec);
      writtenAt = this.spillBusyUntil;
    }
    for (const id of fresh) this.append({ seq: this.nextSeq++, id, bytes: eventBytes, spilled });
    // The tier the events went to had room for them (evicting, spilling or blocking made sure).
    if (spilled) assert(this.spillBytes <= this.config.spillBytes, () => `edge buffer: spill bytes ≤ spill capacity, but ${this.spillBytes} > ${this.config.spillBytes}`);
    else assert(this.fastBytes <= this.config.capacityBytes, () => `edge buffer: buffered bytes ≤ capacity, but ${this.fastBytes} > ${this.config.capacityBytes}`);
    return { kind: 'accepted', writtenAt, dropped };
  }

  /** Events held, not yet planned: the next ones to forward. */
  unplanned(): number {
    return this.entries.length - this.plannedCount;
  }

  /** Plans the oldest unplanned events, up to `maxBytes` serialized as a batch (`batchSizeInBytes`; at least one event). */
  take(maxBytes: number): BufferedEvent[] {
    const taken: BufferedEvent[] = [];
    let bytes = 0;
    while (this.plannedCount < this.entries.length) {
      const event = this.entries[this.plannedCount]!;
      if (taken.length > 0 && batchSizeInBytes(bytes + event.bytes, taken.length + 1) > maxBytes) break;
      taken.push(event);
      bytes += event.bytes;
      this.plannedCount++;
    }
    assert(this.plannedCount <= this.entries.length, () => `edge buffer: planned ≤ held, but ${this.plannedCount} of ${this.entries.length}`);
    return taken;
  }

  /** The next tier acknowledged the events with seq in `[first, end)`: free their space. */
  release(first: number, end: number): void {
    const kept: BufferedEvent[] = [];
    for (const event of this.entries) {
      if (event.seq < first || event.seq >= end) {
        kept.push(event);
        continue;
      }
      this.forget(event);
      this.remember(event.id);
    }
    this.plannedCount -= this.entries.length - kept.length;
    // Only planned events are acknowledged by the next tier, and they sit at the front.
    assert(this.plannedCount >= 0 && this.plannedCount <= kept.length, () => `edge buffer: 0 ≤ planned ≤ held after releasing [${first}, ${end}), but ${this.plannedCount} of ${kept.length}`);
    this.entries = kept;
    this.deleteReleasedSegments();
  }

  /** The seq the next unplanned event will have once planned: everything below is planned or dropped. */
  nextUnplannedSeq(): number {
    return this.plannedCount < this.entries.length ? this.entries[this.plannedCount]!.seq : this.nextSeq;
  }

  fill(): { fastBytes: number; spillBytes: number; buffered: number } {
    return { fastBytes: this.fastBytes, spillBytes: this.spillBytes, buffered: this.entries.length };
  }

  private append(event: BufferedEvent): void {
    const ok = this.disk.append(segmentName(event.seq), event, event.bytes);
    // A full disk refuses the write: the event is kept in memory only and its ack still waits for
    // the fsync, which cannot cover it — an honest model would refuse; we assert instead.
    if (!ok) throw new Error(`edge buffer: disk refused the write of ${event.id} (disk full)`);
    this.entries.push(event);
    this.held.add(event.id);
    if (event.spilled) this.spillBytes += event.bytes;
    else this.fastBytes += event.bytes;
  }

  /** Evicts the oldest unplanned events until `bytes` fit; false (evicting nothing) if they cannot. */
  private evictFor(bytes: number, dropped: BufferedEvent[]): boolean {
    let freeable = 0;
    for (let i = this.plannedCount; i < this.entries.length; i++) if (!this.entries[i]!.spilled) freeable += this.entries[i]!.bytes;
    if (this.fastBytes - freeable + bytes > this.config.capacityBytes) return false;
    let i = this.plannedCount;
    while (this.fastBytes + bytes > this.config.capacityBytes) {
      const event = this.entries[i]!;
      if (event.spilled) {
        i++;
        continue;
      }
      this.entries.splice(i, 1);
      this.forget(event);
      dropped.push(event);
    }
    return true;
  }

  private forget(event: BufferedEvent): void {
    this.held.delete(event.id);
    if (event.spilled) this.spillBytes -= event.bytes;
    else this.fastBytes -= event.bytes;
    assert(this.fastBytes >= 0 && this.spillBytes >= 0, () => `edge buffer: buffered bytes never negative, but fast ${this.fastBytes}, spill ${this.spillBytes} after forgetting ${event.id}`);
  }

  private remember(id: string): void {
    this.recent.add(id);
    if (this.recent.size > RECENT_IDS) this.recent.delete(this.recent.values().next().value!);
  }

  private deleteReleasedSegments(): void {
    const oldestLive = this.entries.length > 0 ? this.entries[0]!.seq : this.nextSeq;
    const firstLiveSegment = segmentName(oldestLive);
    for (const file of this.disk.files()) if (file.startsWith('seg-') && file < firstLiveSegment) this.disk.delete(file);
  }
}

/** Zero-padded so that the sorted file names are in seq order. */
function segmentName(seq: number): string {
  return `seg-${String(Math.floor(seq / SEGMENT_EVENTS)).padStart(12, '0')}`;
}
