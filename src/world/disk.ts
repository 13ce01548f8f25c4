/**
 * Simulated disks: a page cache in front of a device, per node, with `fsync`.
 *
 * Guarantee: a write is durable once an `fsync` issued after it has completed; a power loss (node
 * crash) drops exactly the writes that were not, and keeps everything that was. A process crash
 * drops nothing (the page cache belongs to the operating system, not the process).
 *
 * Timing: writes land in the page cache instantly (reads see them at once). The device serves
 * fsyncs one at a time in issue order; one takes `latencyUs + ceil(dirtyBytes / bandwidth)`, where
 * the dirty bytes are those the actor wrote since its last fsync was issued. Reads are served from
 * the page cache at no cost — a simplification: recovery reads are free in time.
 *
 * Each actor sees its own namespace of files (`Disk`), stored on its node's disk so that the node's
 * failure domain applies to it. A file is a list of records; `put` replaces it with one record.
 *
 * Disk faults (driven by `src/faults/`): a power loss may *tear* the write the device was in the
 * middle of — the first unsynced record of each appended file then survives as a {@link TornRecord}
 * (a partial record whose checksum fails, which a protocol must detect and drop); the device may
 * drop its unsynced data while the node stays up (`loseUnsynced`: later fsyncs report success but
 * cannot bring it back, the "fsyncgate" failure); a full disk refuses writes (`put`/`append` return
 * false and leave the file unchanged); a slow disk multiplies the time every fsync takes.
 */
import type { ActorHandle, Disk, Micros, Simulator, TornRecord, Wakeup } from '../kernel/index.ts';
import { SECOND } from '../kernel/index.ts';
import { lastRecord, liveFileNames } from './file-reads.ts';

export interface DiskParams {
  /** Fixed cost of one fsync, µs. */
  latencyUs: Micros;
  /** Device throughput for flushing dirty data, bytes per second. */
  bandwidthBytesPerSec: number;
}

/** One file: the live (page-cache) records, and which prefix of which array is durable. */
interface FileState {
  live: unknown[] | undefined;
  /** The array whose first `durableLength` records are on the device (may be `live` itself). */
  durable: unknown[] | undefined;
  durableLength: number;
  dirty: boolean;
}

/** Per-actor files on one node's disk. */
type ActorFiles = Map<string, FileState>;

export class NodeDisk {
  private readonly actors = new Map<string, ActorFiles>();
  private readonly dirtyBytes = new Map<string, number>();
  /** When the device finishes the fsyncs it has accepted. */
  private busyUntil: Micros = 0;
  /** Bumped by every power loss; fsyncs issued before it never complete. */
  private powerEpoch = 0;
  /** Bumped when unsynced data is dropped without a power loss; older fsyncs complete but cover nothing. */
  private cacheEpoch = 0;
  /** While true, `put` and `append` are refused (ENOSPC). */
  full = false;
  /** Every fsync takes this many times as long (1: healthy). */
  slowdown = 1;

  constructor(
    readonly node: string,
    readonly params: DiskParams,
    private readonly sim: Simulator,
  ) {}

  view(handle: ActorHandle): Disk {
    let files = this.actors.get(handle.id);
    if (files === undefined) {
      files = new Map();
      this.actors.set(handle.id, files);
    }
    return new ActorDisk(this, this.sim, handle, files);
  }

  markDirty(actor: string, bytes: number): void {
    this.dirtyBytes.set(actor, (this.dirtyBytes.get(actor) ?? 0) + bytes);
  }

  /** Schedules an fsync of one actor's files; completion marks them durable, then wakes the actor. */
  fsync(handle: ActorHandle, files: ActorFiles, done: Wakeup | undefined): void {
    const bytes = this.dirtyBytes.get(handle.id) ?? 0;
    this.dirtyBytes.set(handle.id, 0);
    // Capture what this fsync covers now: later writes need a later fsync.
    const covered: [FileState, unknown[] | undefined, number][] = [];
    for (const file of files.values()) {
      if (file.dirty) covered.push([file, file.live, file.live?.length ?? 0]);
      file.dirty = false;
    }
    const now = this.sim.now();
    const start = Math.max(now, this.busyUntil);
    const finish = start + this.serviceTime(bytes);
    this.busyUntil = finish;
    const epoch = this.powerEpoch;
    const cache = this.cacheEpoch;
    const incarnation = handle.incarnation;
    this.sim.record(handle, 'disk', { op: 'fsync', bytes });
    this.sim.at(
      finish,
      `fsync on ${this.node}`,
      () => {
        if (this.powerEpoch !== epoch) return;
        // Data dropped since this fsync was issued stays dropped, though the fsync "succeeds".
        if (this.cacheEpoch === cache) for (const [file, array, length] of covered) {
          file.durable = array;
          file.durableLength = length;
        }
        this.sim.record(handle, 'disk', { op: 'fsync-done', bytes });
        if (done !== undefined) this.sim.wake(handle, incarnation, done);
      },
      handle,
    );
  }

  /** How long the device takes to flush `bytes`, slowed down by a slow-disk fault. */
  private serviceTime(bytes: number): Micros {
    const healthy = this.params.latencyUs + Math.ceil((bytes * SECOND) / this.params.bandwidthBytesPerSec);
    return this.slowdown === 1 ? healthy : Math.ceil(healthy * this.slowdown);
  }

  /**
   * Power loss: every actor's files fall back to their durable content; pending fsyncs are void.
   * With `tear`, each file that was appended to since its durable content ends in a torn record.
   */
  losePower(options: { tear?: boolean } = {}): void {
    this.powerEpoch++;
    this.busyUntil = this.sim.now();
    this.revert(options.tear === true);
  }

  /**
   * The device drops its unsynced data while the node stays up: files fall back to their durable
   * content under the running actors; fsyncs in flight still complete but make nothing durable.
   */
  loseUnsynced(): void {
    this.cacheEpoch++;
    this.revert(false);
  }

  private revert(tear: boolean): void {
    for (const [actor, files] of this.actors) {
      const handle = this.sim.handle(actor);
      this.dirtyBytes.set(actor, 0);
      for (const [name, file] of [...files]) {
        const before = file.live?.length ?? 0;
        if (file.durable === undefined) {
          files.delete(name);
          if (file.live !== undefined) this.sim.record(handle, 'disk', { op: 'lost', file: name, records: before });
          continue;
        }
        const kept = keptPrefix(file.live, file.durable, file.durableLength);
        const changed = file.live !== file.durable || before !== file.durableLength;
        // Only an append can be torn: the device was writing the record after the durable ones.
        const torn = tear && kept === file.durableLength && before > kept;
        const restored = file.durable === file.live ? file.live : file.durable.slice(0, file.durableLength);
        restored.length = file.durableLength;
        if (torn) restored.push({ $torn: true } satisfies TornRecord);
        file.live = restored;
        file.durable = restored;
        file.durableLength = restored.length;
        file.dirty = false;
        if (changed) this.sim.record(handle, 'disk', { op: 'lost', file: name, records: before - kept });
        if (torn) this.sim.record(handle, 'disk', { op: 'torn', file: name, record: kept });
      }
    }
  }
}

/** How many of the live records are also the first durable ones (the rest are lost on power loss). */
function keptPrefix(live: unknown[] | undefined, durable: unknown[], durableLength: number): number {
  if (live === undefined) return 0;
  if (live === durable) return Math.min(live.length, durableLength);
  const limit = Math.min(live.length, durableLength);
  let k = 0;
  while (k < limit && live[k] === durable[k]) k++;
  return k;
}

class ActorDisk implements Disk {
  constructor(
    private readonly disk: NodeDisk,
    private readonly sim: Simulator,
    private readonly handle: ActorHandle,
    private readonly fileMap: ActorFiles,
  ) {}

  put(file: string, value: unknown, bytes: number): boolean {
    if (this.refused(file, bytes)) return false;
    const state = this.state(file);
    state.live = [value];
    this.wrote(state, file, 'put', bytes);
    return true;
  }

  append(file: string, record: unknown, bytes: number): boolean {
    if (this.refused(file, bytes)) return false;
    const state = this.state(file);
    if (state.live === undefined) state.live = [];
    state.live.push(record);
    this.wrote(state, file, 'append', bytes);
    return true;
  }

  /** A full disk refuses a write, and the trace says so. */
  private refused(file: string, bytes: number): boolean {
    if (!this.disk.full) return false;
    this.sim.record(this.handle, 'disk', { op: 'refused', file, bytes, cause: 'full' });
    return true;
  }

  truncate(file: string, length: number): void {
    const state = this.fileMap.get(file);
    if (state?.live === undefined || length >= state.live.length) return;
    // A copy, never in place: the old array may be what is on the device or what a pending fsync
    // is about to make durable. Truncation is rare (log failover), so the copy costs little.
    state.live = state.live.slice(0, length);
    this.wrote(state, file, 'truncate', 0);
  }

  delete(file: string): void {
    const state = this.fileMap.get(file);
    if (state?.live === undefined) return;
    state.live = undefined;
    this.wrote(state, file, 'delete', 0);
  }

  read(file: string): readonly unknown[] | undefined {
    return this.fileMap.get(file)?.live;
  }

  get(file: string): unknown {
    return lastRecord(this.read(file));
  }

  files(): string[] {
    return liveFileNames(this.fileMap);
  }

  fsync(done?: Wakeup): void {
    this.disk.fsync(this.handle, this.fileMap, done);
  }

  private state(file: string): FileState {
    let state = this.fileMap.get(file);
    if (state === undefined) {
      state = { live: undefined, durable: undefined, durableLength: 0, dirty: false };
      this.fileMap.set(file, state);
    }
    return state;
  }

  private wrote(state: FileState, file: string, op: string, bytes: number): void {
    state.dirty = true;
    this.disk.markDirty(this.handle.id, bytes);
    this.sim.record(this.handle, 'disk', { op, file, bytes });
  }
}
