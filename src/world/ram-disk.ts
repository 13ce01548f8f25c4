/**
 * A node's RAM disk (tmpfs, Linux's `/dev/shm`): the files an actor names under `RAM_DISK_DIR`.
 *
 * Guarantee: they live in the node's memory, beside its device, never on it — a process crash keeps
 * them (tmpfs belongs to the kernel, not to the process), a node crash or power loss loses every
 * one of them whatever was fsynced or written back (an fsync covers the device's files only, and
 * the page cache never writes tmpfs back), a device fault (lost unsynced data, a full or slow disk)
 * does not touch them, and writing or reading them costs no device time (a checkpoint tier that
 * models RAM bandwidth charges it itself). Writes are recorded as on the device (`disk` records
 * `put`, `append`, `truncate`, `delete`), and a power loss records each file `lost`.
 *
 * `mount` puts a RAM disk and an actor's device files behind one `Disk`; the simulated world mounts
 * it per node (and empties it with the node's power), emulation per node thread (a node crash ends
 * the thread, and its memory with it).
 */
import { RAM_DISK_DIR, type Disk, type Wakeup } from '../kernel/contract/index.ts';
import { lastRecord, liveFileNames } from './file-reads.ts';
import { StartOrdered } from './start-ordered.ts';

/** Writes one `disk` trace record at the actor. */
type DiskRecord = (fields: Record<string, unknown>) => void;

interface RamFile {
  live: unknown[] | undefined;
}

interface Mounted {
  /** The actor's place in the order the node's actors started in: the order of `actors`. */
  readonly order: number;
  readonly files: Map<string, RamFile>;
  /** The latest incarnation's recorder (of those that touched the RAM disk, for a lazy mount). */
  record: DiskRecord;
}

export class NodeRamDisk {
  /**
   * The actors' RAM-disk files by actor, in the order the actors started in (power loss writes
   * its records in this order).
   */
  private readonly actors = new StartOrdered<Mounted>();
  /** Mounts without a start order so far (emulation): their order is the one they were mounted in. */
  private mounts = 0;

  /**
   * `device` with this RAM disk mounted under `RAM_DISK_DIR`, as `actor` sees them; `record` writes
   * its `disk` records. With `startOrder` (the simulated world), the actor's entry is made at its
   * first use of the RAM disk and placed by that order, so that an actor that never uses it costs
   * nothing — which needs `record` to write the same records whichever incarnation passed it.
   * Without (emulation), the entry is made now, in mount order, and its recorder is this one.
   */
  mount(actor: string, device: Disk, record: DiskRecord, startOrder?: number): Disk {
    if (startOrder !== undefined) return new MountedDisk(device, this, actor, startOrder, record, undefined);
    const mounted = this.actors.get(actor) ?? this.enter(actor, this.mounts++, record);
    mounted.record = record;
    return new MountedDisk(device, this, actor, mounted.order, record, mounted);
  }

  /** The actor's entry, if it has one. */
  entry(actor: string): Mounted | undefined {
    return this.actors.get(actor);
  }

  /** Makes the actor's entry, placed by `order`. */
  enter(actor: string, order: number, record: DiskRecord): Mounted {
    return this.actors.add(actor, { order, files: new Map(), record });
  }

  /** The node lost its power: every RAM-disk file is gone. */
  losePower(): void {
    for (const [, { files, record }] of this.actors.entries()) {
      for (const [file, state] of files) if (state.live !== undefined) record({ op: 'lost', file, records: state.live.length });
      files.clear();
    }
  }
}

function onRamDisk(file: string): boolean {
  return file.startsWith(RAM_DISK_DIR);
}

const NO_FILES = new Map<string, RamFile>();

/** The device's files and the RAM disk's, by name. */
class MountedDisk implements Disk {
  constructor(
    private readonly device: Disk,
    private readonly node: NodeRamDisk,
    private readonly actor: string,
    private readonly order: number,
    private readonly record: DiskRecord,
    /** The actor's entry, once it has one. */
    private mounted: Mounted | undefined,
  ) {}

  /** The actor's RAM-disk files (none yet: an empty Map, not the actor's). */
  private get ram(): Map<string, RamFile> {
    return (this.mounted ??= this.node.entry(this.actor))?.files ?? NO_FILES;
  }

  put(file: string, value: unknown, bytes: number): boolean {
    if (!onRamDisk(file)) return this.device.put(file, value, bytes);
    this.state(file).live = [value];
    this.record({ op: 'put', file, bytes });
    return true;
  }

  append(file: string, record: unknown, bytes: number): boolean {
    if (!onRamDisk(file)) return this.device.append(file, record, bytes);
    const state = this.state(file);
    // A copy: a reader may hold the array it was given.
    state.live = [...(state.live ?? []), record];
    this.record({ op: 'append', file, bytes });
    return true;
  }

  truncate(file: string, length: number): void {
    if (!onRamDisk(file)) return this.device.truncate(file, length);
    const state = this.ram.get(file);
    if (state?.live === undefined || length >= state.live.length) return;
    state.live = state.live.slice(0, length);
    this.record({ op: 'truncate', file, bytes: 0 });
  }

  delete(file: string): void {
    if (!onRamDisk(file)) return this.device.delete(file);
    if (this.ram.get(file)?.live === undefined) return;
    // Nothing of a deleted tmpfs file survives anything: forget it (bounded memory).
    this.ram.delete(file);
    this.record({ op: 'delete', file, bytes: 0 });
  }

  read(file: string): readonly unknown[] | undefined {
    return onRamDisk(file) ? this.ram.get(file)?.live : this.device.read(file);
  }

  get(file: string): unknown {
    return onRamDisk(file) ? lastRecord(this.read(file)) : this.device.get(file);
  }

  /** A RAM-disk file has no device to reach: never unsynced. */
  unsynced(file: string): boolean {
    return !onRamDisk(file) && this.device.unsynced(file);
  }

  files(): string[] {
    return [...this.device.files(), ...liveFileNames(this.ram)].sort();
  }

  /** The device's files only: nothing makes the RAM disk durable. */
  fsync(done?: Wakeup): void {
    this.device.fsync(done);
  }

  private state(file: string): RamFile {
    const files = (this.mounted ??= this.node.entry(this.actor) ?? this.node.enter(this.actor, this.order, this.record)).files;
    let state = files.get(file);
    if (state === undefined) {
      state = { live: undefined };
      files.set(file, state);
    }
    return state;
  }
}
