/**
 * Simulated disks: a page cache in front of a device, per node, with `fsync`.
 *
 * Guarantee: a write is durable once an `fsync` issued after it has completed; a power loss (node
 * crash) drops exactly the writes that were not, and keeps everything that was. A process crash
 * drops nothing (the page cache belongs to the operating system, not the process).
 *
 * Timing: writes land in the page cache instantly (reads see them at once). The device serves
 * fsyncs (and writebacks) one at a time in issue order; one takes `latencyUs + ceil(dirtyBytes /
 * bandwidth)`, where the dirty bytes are those written to the files it covers since they were last
 * fsynced or written back — none for a file deleted since, nor for records truncated away since
 * they were written (Linux drops an unlinked or truncated file's dirty pages unwritten; the unlink
 * or truncation itself is metadata, in the fixed cost). Reads are served from
 * the page cache at no cost — a simplification: recovery reads are free in time.
 *
 * Each actor sees its own namespace of files (`Disk`), stored on its node's disk so that the node's
 * failure domain applies to it. A file is a list of records; `put` replaces it with one record.
 *
 * Background writeback (Linux's flusher threads): a file that has been dirty — written since it
 * was last fsynced or written back — for at least `dirtyExpireUs` (`vm.dirty_expire_centisecs`,
 * 30 s) is written back whole at the flusher's next wake-up, which comes every `dirtyWritebackUs`
 * (`vm.dirty_writeback_centisecs`, 5 s) while anything on the disk is dirty; 0 disables it, as in
 * Linux. Like Linux, the unit is the file (inode): its dirtying time is when it went from clean to
 * dirty, and the writeback takes all its pages, the young ones too. So data nobody fsyncs survives
 * a power loss once it is 30–35 s old. A writeback occupies the device like an fsync (in issue
 * order) and completes the same way; a power loss voids it. Cost: at most one wake-up event per
 * disk per `dirtyWritebackUs`, and none while nothing is dirty.
 *
 * A process that dies in the middle of a save leaves its pages to the device (the page cache is
 * the node's), which goes on writing them — until the file is deleted: then what the device had not
 * yet written of it is dropped and the writes queued behind move up (`dropUnwritten`). The model
 * writes a save into the cache and then fsyncs it, and the crash comes during that fsync; Linux's
 * mechanism is another, with about the same outcome for a large save. On Linux a process in fsync
 * sleeps uninterruptibly until its pages are written (it cannot die first), and truncate/unlink
 * wait for pages under writeback, dropping only dirty ones. But a save larger than the dirty limit
 * (`vm.dirty_bytes` / `dirty_ratio`) is throttled in write() (`balance_dirty_pages`, killable), so a
 * crash mid-save leaves at most that limit in the cache, nearly all of it dirty, and the restarted
 * process's unlink drops it: the device is freed but for the writes already in flight. Not
 * modelled: (a) a crash during the final fsync of a save smaller than the dirty limit — Linux
 * completes that fsync (a restarted process finds the file synced, complete), the model drops its
 * remainder if the delete comes first; (b) without a delete, all of a dead process's unwritten bytes
 * still reach the device (on Linux those beyond the dirty limit were never written). Both matter
 * only when the restart comes before the save would have ended. A live caller of fsync keeps its
 * pages: it has the file open until its fsync returns. This is how a process crash differs from a
 * node crash here: the power loss voids the whole queue at once. The device is taken to write an fsync's bytes at a
 * steady rate after its fixed cost, files in the order the fsync took them. `unsynced(file)` says
 * whether a file still has bytes not on the device (dirty or under way: Linux's `cachestat(2)`), so
 * a restarted process can tell a file its predecessor never saw synced.
 *
 * Disk faults (driven by `src/faults/`): a power loss may *tear* the write the device was in the
 * middle of — the first unsynced record of each appended file then survives as a {@link TornRecord}
 * (a partial record whose checksum fails, which a protocol must detect and drop); the device may
 * drop its unsynced data while the node stays up (`loseUnsynced`: later fsyncs report success but
 * cannot bring it back, the "fsyncgate" failure); a full disk refuses writes (`put`/`append` return
 * false and leave the file unchanged); a slow disk multiplies the time every fsync takes.
 */
import type { ActorHandle, Disk, Micros, Simulator, TornRecord, Wakeup } from '../kernel/index.ts';
import { assert, recordShape, SECOND } from '../kernel/index.ts';
import { lastRecord, liveFileNames } from './file-reads.ts';
import { StartOrdered } from './start-ordered.ts';

export interface DiskParams {
  /** Fixed cost of one fsync, µs. */
  latencyUs: Micros;
  /** Device throughput for flushing dirty data, bytes per second. */
  bandwidthBytesPerSec: number;
  /** A file dirty for this long is written back at the flusher's next wake-up (`vm.dirty_expire_centisecs`). Default 30 s. */
  dirtyExpireUs?: Micros;
  /** The flusher wakes this often while anything is dirty (`vm.dirty_writeback_centisecs`); 0: never. Default 5 s. */
  dirtyWritebackUs?: Micros;
}

/** The `disk` records written most (a write, an fsync and its end): digested by position (contract/record-shape.ts). */
const WRITE = recordShape('disk', [['op', 'string'], ['file', 'string'], ['bytes', 'number']]);
const FSYNC = recordShape('disk', [['op', 'string'], ['bytes', 'number']]);

/** Linux's defaults: `vm.dirty_expire_centisecs` = 3000, `vm.dirty_writeback_centisecs` = 500. */
export const LINUX_WRITEBACK = { dirtyExpireUs: 30 * SECOND, dirtyWritebackUs: 5 * SECOND } as const;

/** One file: the live (page-cache) records, and which prefix of which array is durable. */
interface FileState {
  readonly name: string;
  live: unknown[] | undefined;
  /** The array whose first `durableLength` records are on the device (may be `live` itself). */
  durable: unknown[] | undefined;
  durableLength: number;
  /** When the file went from clean to dirty (written since its last fsync or writeback); undefined while clean. */
  dirtiedAtUs: Micros | undefined;
  /** Bytes written since then: what an fsync or writeback of the file puts on the device. */
  dirtyBytes: number;
  /**
   * How many of the last live records were written since then, and (the first `dirtyRecords`
   * entries of `dirtySizes`) their bytes, oldest first: what a truncation of them takes back from
   * `dirtyBytes`. Entries past `dirtyRecords` are stale (overwritten, not cleared).
   */
  dirtyRecords: number;
  readonly dirtySizes: number[];
  /** Whether it is in its actor's `dirty` list (at most once; it may have been cleaned since). */
  listed: boolean;
  /** Its place in its actor's `byName` (the order of creation, which a `Map` iterates in). */
  readonly seq: number;
  /** Device writes (fsyncs, writebacks) queued or under way that carry some of its pages. */
  pending: number;
}

/**
 * What one fsync or writeback makes durable when it completes: each file as it was when it was
 * issued, with its actor's files (a file deleted on the device too is forgotten there).
 */
type Capture = [FileState, unknown[] | undefined, number, Map<string, FileState>][];

/** One fsync or writeback the device has accepted and not finished: the device's FIFO queue. */
interface DeviceWrite {
  readonly issuedUs: Micros;
  start: Micros;
  finish: Micros;
  /** The part of `finish − start` before the first byte moves: the fixed cost, as slowed down when it was accepted. */
  readonly latencyUs: Micros;
  bytes: number;
  readonly covered: Capture;
  /**
   * The bytes each covered file puts on the device, in `covered`'s order (the order it writes them
   * in); a file dropped from it keeps its place, cut to what the device had written of it.
   */
  readonly sizes: number[];
  /** Covered files deleted since, whose unwritten bytes were dropped (`dropUnwritten`): not made durable by it. */
  dropped: Set<FileState> | undefined;
  /** An fsync's caller (undefined for a writeback, the flusher's) and the caller's incarnation when it called. */
  readonly caller: ActorHandle | undefined;
  readonly incarnation: number;
  /** Bumped when it is re-timed: a completion scheduled before then is void. */
  version: number;
  readonly label: string;
  readonly origin: ActorHandle;
  readonly then: () => void;
}

/**
 * Per-actor files on one node's disk, and those written since the actor's last fsync: an fsync
 * or a writeback visits only these, not every file the actor ever had (a log broker keeps an entry
 * per segment: a writeback scanning them all every 5 s was ≈ 1 % of an x-ray hour). Every dirty
 * file is listed; a file listed may have been cleaned since by a writeback, which then drops it.
 */
interface ActorFiles {
  /** The actor's place in the order the actors started in (`ActorHandle.startOrder`). */
  readonly order: number;
  readonly byName: Map<string, FileState>;
  dirty: FileState[];
  /** Files made so far: the next one's `seq`. */
  made: number;
}

export class NodeDisk {
  /**
   * The actors that wrote here, by id, in the order they started in — the order every loop over
   * them (power loss, writeback) writes its records in. An actor gets its entry at its first write
   * (most actors of a large run never write: no entry, no Map) and it is placed by start order,
   * so the loops see the order they saw when each actor's entry was made as it started (an actor
   * that never wrote has no files, and wrote no records in those loops).
   */
  private readonly actors = new StartOrdered<ActorFiles>();
  /** Whether the flusher's next wake-up is scheduled. */
  private flusherAwake = false;
  /** The device writes accepted and not finished, in the order it serves them. */
  private readonly queue: DeviceWrite[] = [];
  /** Bumped by every power loss; fsyncs issued before it never complete. */
  private powerEpoch = 0;
  /** Bumped when unsynced data is dropped without a power loss; older fsyncs complete but cover nothing. */
  private cacheEpoch = 0;
  /** While true, `put` and `append` are refused (ENOSPC). */
  full = false;
  /** Every fsync takes this many times as long (1: healthy). */
  slowdown = 1;

  /** The label of this disk's fsyncs' completions, made once (an every-write broker issues tens of thousands an hour). */
  private readonly fsyncLabel: string;

  constructor(
    readonly node: string,
    readonly params: DiskParams,
    private readonly sim: Simulator,
  ) {
    this.fsyncLabel = `fsync on ${node}`;
  }

  view(handle: ActorHandle): Disk {
    return new ActorDisk(this, this.sim, handle);
  }

  /** The actor's files; with `create`, made (empty) and placed by start order if it has none yet. */
  filesOf(handle: ActorHandle, create: boolean): ActorFiles | undefined {
    const found = this.actors.get(handle.id);
    if (found !== undefined || !create) return found;
    return this.actors.add(handle.id, { order: handle.startOrder, byName: new Map(), dirty: [], made: 0 });
  }

  /** A write to `file` by `handle`'s actor: the file is dirty, and the flusher must wake for it. */
  wrote(handle: ActorHandle, files: ActorFiles, file: FileState, bytes: number): void {
    if (file.dirtiedAtUs === undefined) file.dirtiedAtUs = this.sim.now();
    if (!file.listed) {
      file.listed = true;
      files.dirty.push(file);
    }
    file.dirtyBytes += bytes;
    if (!this.flusherAwake && this.writebackUs > 0) this.wakeFlusher(handle);
  }

  /** Schedules an fsync of one actor's files; completion marks them durable, then wakes the actor. */
  fsync(handle: ActorHandle, files: ActorFiles | undefined, done: Wakeup | undefined): void {
    // Capture what this fsync covers now: later writes need a later fsync.
    const covered: Capture = [];
    const sizes: number[] = [];
    let bytes = 0;
    if (files !== undefined) {
      // The list is emptied in place for the writes after this fsync (not a new array per fsync).
      const dirty = files.dirty;
      for (const file of dirty) {
        file.listed = false;
        if (file.dirtiedAtUs !== undefined) {
          covered.push(clean(file, files.byName));
          sizes.push(file.dirtyBytes);
          bytes += file.dirtyBytes;
          file.dirtyBytes = 0;
          file.dirtyRecords = 0;
        }
      }
      // `pop`, not a store to `length` (a runtime call in V8): an fsync covers a file or a few.
      while (dirty.length > 0) dirty.pop();
    }
    const incarnation = handle.incarnation;
    this.sim.recordShaped(handle, FSYNC, ['fsync', bytes]);
    this.write(bytes, covered, sizes, this.fsyncLabel, handle, handle, () => {
      this.sim.recordShaped(handle, FSYNC, ['fsync-done', bytes]);
      if (done !== undefined) this.sim.wake(handle, incarnation, done);
    });
  }

  /**
   * Queues a device write of `bytes` behind the ones accepted before it; when it completes, the
   * captured files are durable as captured (unless the device dropped its cache meanwhile) and
   * `then` runs. A power loss before then voids it. `caller`: the fsync's caller (a writeback has none).
   */
  private write(bytes: number, covered: Capture, sizes: number[], label: string, caller: ActorHandle | undefined, origin: ActorHandle, then: () => void): void {
    // Behind the last write the device accepted, if it is still busy.
    const start = Math.max(this.sim.now(), this.queue.at(-1)?.finish ?? 0);
    const finish = start + this.serviceTime(bytes);
    for (const [file] of covered) file.pending++;
    const write: DeviceWrite = { issuedUs: this.sim.now(), start, finish, latencyUs: this.serviceTime(0), bytes, covered, sizes, dropped: undefined, caller, incarnation: caller?.incarnation ?? 0, version: 0, label, origin, then };
    this.queue.push(write);
    this.schedule(write);
  }

  private schedule(write: DeviceWrite): void {
    const epoch = this.powerEpoch;
    const cache = this.cacheEpoch;
    const version = write.version;
    this.sim.at(write.finish, write.label, () => this.completed(write, epoch, cache, version), write.origin);
  }

  private completed(write: DeviceWrite, epoch: number, cache: number, version: number): void {
    if (this.powerEpoch !== epoch || write.version !== version) return;
    // The device serves its queue in order, so what completes is its head.
    assert(this.queue[0] === write, () => `disk on ${this.node}: device writes complete in the order accepted`);
    this.queue.shift();
    for (const [file, array, length, files] of write.covered) {
      // Dropped at its deletion: it no longer waits for this write, and what it made durable was only part of it.
      if (write.dropped?.has(file) === true) continue;
      file.pending--;
      // Data dropped since this write was issued stays dropped, though the write "succeeds".
      if (this.cacheEpoch !== cache) continue;
      file.durable = array;
      file.durableLength = length;
      // Deleted, and now gone from the device too: nothing of it is left to keep. Dropping the
      // entry keeps memory bounded when an actor deletes as it goes (log segments, checkpoints).
      if (array === undefined && file.live === undefined && file.dirtiedAtUs === undefined && files.get(file.name) === file) files.delete(file.name);
    }
    write.then();
  }

  /** Whether some of the file's pages are dirty or on their way to the device (Linux's `cachestat`: dirty or writeback). */
  unsynced(file: FileState): boolean {
    return file.dirtiedAtUs !== undefined || file.pending > 0;
  }

  /**
   * The file was deleted: its pages that fsyncs of dead callers were still to put on the device are
   * dropped from them, and the device's queue moves up. These stand for the pages Linux leaves
   * dirty when a process is killed while throttled in the write() of a save larger than the dirty
   * limit (`balance_dirty_pages`): unlink drops dirty pages (it waits for those under writeback, and
   * a process in fsync cannot die before it returns). A crash during the final fsync of a save
   * smaller than the dirty limit, which Linux completes, is not modelled (see the header). An fsync
   * whose caller lives keeps them: the caller has the file open until its fsync returns. A writeback keeps them
   * too — a simplification: the flusher takes a few MiB of a file at a time, so Linux would drop
   * most of the rest. Returns the bytes dropped. The device is taken to write an fsync's files in
   * the order it captured them, at a steady rate from its fixed cost's end to its finish.
   */
  dropUnwritten(file: FileState, handle: ActorHandle): number {
    const now = this.sim.now();
    let dropped = 0;
    for (let i = 0; i < this.queue.length && file.pending > 0; i++) {
      const write = this.queue[i]!;
      if (write.caller === undefined || write.caller.incarnation === write.incarnation) continue;
      if (write.dropped?.has(file) === true) continue;
      const k = write.covered.findIndex(([covered]) => covered === file);
      if (k < 0) continue;
      const moving = write.start + write.latencyUs;
      const span = write.finish - moving;
      const done = now <= moving ? 0 : span <= 0 ? write.bytes : Math.min(write.bytes, Math.floor((write.bytes * (now - moving)) / span));
      let before = 0;
      for (let j = 0; j < k; j++) before += write.sizes[j]!;
      const size = write.sizes[k]!;
      const unwritten = size - Math.min(size, Math.max(0, done - before));
      // It keeps its place, cut to what was written, so that a file after it is placed right if it is dropped too.
      write.sizes[k] = size - unwritten;
      (write.dropped ??= new Set()).add(file);
      file.pending--;
      if (unwritten === 0) continue;
      dropped += unwritten;
      const healthy = this.serviceTime(write.bytes) - this.serviceTime(write.bytes - unwritten);
      write.bytes -= unwritten;
      this.retime(i, Math.max(now, write.finish - healthy));
    }
    if (dropped > 0) this.sim.record(handle, 'disk', { op: 'dropped', file: file.name, bytes: dropped });
    return dropped;
  }

  /** Write `i` now finishes at `finish`: it and every write queued behind it move up, and are scheduled anew. */
  private retime(i: number, finish: Micros): void {
    let previous = finish;
    for (let j = i; j < this.queue.length; j++) {
      const write = this.queue[j]!;
      const start = j === i ? write.start : Math.max(write.issuedUs, previous);
      const end = j === i ? finish : start + (write.finish - write.start);
      if (end === write.finish) break;
      write.start = start;
      write.finish = end;
      write.version++;
      this.schedule(write);
      previous = end;
    }
  }

  private get writebackUs(): Micros {
    return this.params.dirtyWritebackUs ?? LINUX_WRITEBACK.dirtyWritebackUs;
  }

  /**
   * Schedules the flusher's next wake-up. Its origin is the actor whose write called for it (then
   * the same actor again), so the event stays in that actor's partition, as an fsync's does.
   */
  private wakeFlusher(origin: ActorHandle): void {
    this.flusherAwake = true;
    this.sim.at(this.sim.now() + this.writebackUs, `writeback on ${this.node}`, () => this.writeBack(origin), origin);
  }

  /**
   * The flusher's wake-up: every file dirty for at least `dirtyExpireUs` is written back whole, one
   * device write for the disk; the flusher wakes again while anything is still dirty. It visits
   * each actor's dirty list (keeping only the files still dirty there) and takes an actor's
   * expired files in the order of its `byName`, as a scan of every file would.
   */
  private writeBack(origin: ActorHandle): void {
    this.flusherAwake = false;
    const now = this.sim.now();
    const expireUs = this.params.dirtyExpireUs ?? LINUX_WRITEBACK.dirtyExpireUs;
    const covered: Capture = [];
    const sizes: number[] = [];
    const byActor: { handle: ActorHandle; files: string[]; bytes: number }[] = [];
    let bytes = 0;
    let stillDirty = false;
    for (const [actor, actorFiles] of this.actors.entries()) {
      const expired = expiredFiles(actorFiles, now, expireUs);
      if (actorFiles.dirty.length > 0) stillDirty = true;
      if (expired.length === 0) continue;
      const mine = { handle: this.sim.handle(actor), files: [] as string[], bytes: 0 };
      byActor.push(mine);
      for (const file of expired) {
        mine.files.push(file.name);
        mine.bytes += file.dirtyBytes;
        sizes.push(file.dirtyBytes);
        bytes += file.dirtyBytes;
        file.dirtyBytes = 0;
        file.dirtyRecords = 0;
        covered.push(clean(file, actorFiles.byName));
      }
    }
    if (covered.length > 0) {
      for (const { handle, files, bytes: written } of byActor) this.sim.record(handle, 'disk', { op: 'writeback', files, bytes: written });
      this.write(bytes, covered, sizes, `writeback on ${this.node}`, undefined, origin, () => {
        for (const { handle, bytes: written } of byActor) this.sim.record(handle, 'disk', { op: 'writeback-done', bytes: written });
      });
    }
    if (stillDirty) this.wakeFlusher(origin);
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
    // Every write the device had accepted is void: no file has pages on their way to it any more.
    for (const write of this.queue) for (const [file] of write.covered) file.pending = 0;
    this.queue.length = 0;
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
    for (const [actor, actorFiles] of this.actors.entries()) {
      // Every file is clean afterwards (back to its durable content, or gone).
      for (const file of actorFiles.dirty) file.listed = false;
      actorFiles.dirty = [];
      const files = actorFiles.byName;
      const handle = this.sim.handle(actor);
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
        file.dirtiedAtUs = undefined;
        file.dirtyBytes = 0;
        file.dirtyRecords = 0;
        if (changed) this.sim.record(handle, 'disk', { op: 'lost', file: name, records: before - kept });
        if (torn) this.sim.record(handle, 'disk', { op: 'torn', file: name, record: kept });
      }
    }
  }
}

/**
 * An actor's files dirty for at least `expireUs` at `nowUs`, in the order of its `byName`; its
 * dirty list keeps only the files still dirty and not expired (the expired ones are about to be
 * cleaned, and the clean ones need no visit).
 */
function expiredFiles(files: ActorFiles, nowUs: Micros, expireUs: Micros): FileState[] {
  const expired: FileState[] = [];
  const dirty = files.dirty;
  let kept = 0;
  for (let i = 0; i < dirty.length; i++) {
    const file = dirty[i]!;
    if (file.dirtiedAtUs !== undefined && nowUs - file.dirtiedAtUs < expireUs) {
      dirty[kept++] = file;
      continue;
    }
    file.listed = false;
    if (file.dirtiedAtUs !== undefined) expired.push(file);
  }
  while (dirty.length > kept) dirty.pop();
  // The list is in the order the files were first written since the last fsync; `byName` is in the order they were made.
  return expired.length > 1 ? expired.sort((a, b) => a.seq - b.seq) : expired;
}

/** Marks a file clean and captures what it holds now, for the fsync or writeback that cleaned it. */
function clean(file: FileState, files: Map<string, FileState>): Capture[number] {
  file.dirtiedAtUs = undefined;
  return [file, file.live, file.live?.length ?? 0, files];
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

const NO_FILES = new Map<string, FileState>();


class ActorDisk implements Disk {
  /** The actor's files, once it has any (the same for every incarnation's view). */
  private own: ActorFiles | undefined;

  constructor(
    private readonly disk: NodeDisk,
    private readonly sim: Simulator,
    private readonly handle: ActorHandle,
  ) {}

  private ownIfAny(): ActorFiles | undefined {
    return (this.own ??= this.disk.filesOf(this.handle, false));
  }

  put(file: string, value: unknown, bytes: number): boolean {
    if (this.refused(file, bytes)) return false;
    const state = this.state(file);
    state.live = [value];
    // The records it replaces stay charged if they were dirty; only this one can be truncated away.
    state.dirtySizes[0] = bytes;
    state.dirtyRecords = 1;
    this.wrote(state, file, 'put', bytes);
    return true;
  }

  append(file: string, record: unknown, bytes: number): boolean {
    if (this.refused(file, bytes)) return false;
    const state = this.state(file);
    if (state.live === undefined) state.live = [];
    state.live.push(record);
    state.dirtySizes[state.dirtyRecords++] = bytes;
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
    const state = this.ownIfAny()?.byName.get(file);
    if (state?.live === undefined || length >= state.live.length) return;
    // A copy, never in place: the old array may be what is on the device or what a pending fsync
    // is about to make durable. Truncation is rare (log failover), so the copy costs little.
    // Records cut before they reached the device are dropped, never written (Linux's truncate drops
    // their dirty pages): the next fsync or writeback no longer pays for them.
    const unwritten = Math.min(state.live.length - length, state.dirtyRecords);
    for (let i = 0; i < unwritten; i++) state.dirtyBytes -= state.dirtySizes[--state.dirtyRecords]!;
    state.live = state.live.slice(0, length);
    this.wrote(state, file, 'truncate', 0);
  }

  delete(file: string): void {
    const state = this.ownIfAny()?.byName.get(file);
    if (state?.live === undefined) return;
    state.live = undefined;
    // Its pages not yet on the device are dropped, never written: an fsync makes only the deletion durable.
    state.dirtyBytes = 0;
    state.dirtyRecords = 0;
    this.wrote(state, file, 'delete', 0);
    // So are those a dead process's fsync was still to write.
    if (state.pending > 0) this.disk.dropUnwritten(state, this.handle);
  }

  unsynced(file: string): boolean {
    const state = this.ownIfAny()?.byName.get(file);
    return state?.live !== undefined && this.disk.unsynced(state);
  }

  read(file: string): readonly unknown[] | undefined {
    return this.ownIfAny()?.byName.get(file)?.live;
  }

  get(file: string): unknown {
    return lastRecord(this.read(file));
  }

  files(): string[] {
    return liveFileNames(this.ownIfAny()?.byName ?? NO_FILES);
  }

  fsync(done?: Wakeup): void {
    this.disk.fsync(this.handle, this.ownIfAny(), done);
  }

  private state(file: string): FileState {
    const own = (this.own ??= this.disk.filesOf(this.handle, true)!);
    let state = own.byName.get(file);
    if (state === undefined) {
      state = { name: file, live: undefined, durable: undefined, durableLength: 0, dirtiedAtUs: undefined, dirtyBytes: 0, dirtyRecords: 0, dirtySizes: [], listed: false, seq: own.made++, pending: 0 };
      own.byName.set(file, state);
    }
    return state;
  }

  private wrote(state: FileState, file: string, op: string, bytes: number): void {
    // Every write found or made the file in the actor's files, so `own` is set.
    this.disk.wrote(this.handle, this.own!, state, bytes);
    this.sim.recordShaped(this.handle, WRITE, [op, file, bytes]);
  }
}
