/**
 * An actor's storage as it sees it (`ctx.disk`), and what a torn write leaves behind.
 *
 * Guarantee: the same interface in simulation (world/disk.ts) and emulation
 * (exec/emulate/real-disk.ts); durability comes only from `fsync`. How it fails: a full disk refuses
 * writes (`put`/`append` return false); a power loss drops what was not fsynced and may leave the
 * write in progress as a {@link TornRecord}, which a protocol must detect and drop.
 */
import type { Wakeup } from './wakeup.ts';

/**
 * An actor's durable storage: named files of records on its node's disk. A record is plain JSON
 * data: emulation writes each as a JSON line on a real disk (exec/emulate/real-disk.ts), so a Map,
 * Set or class instance in one comes back as an empty object there — write maps as entry lists.
 *
 * Writes land in the page cache at once (reads see them) and become durable when an `fsync` issued
 * after them completes. A process crash keeps the page cache; a node crash or power loss drops
 * every write not yet made durable. `fsync` occupies the node's disk for its latency plus the dirty
 * bytes over the disk's bandwidth, and then fires `done` as a wakeup.
 *
 * Files named under {@link RAM_DISK_DIR} are on the node's RAM disk instead (tmpfs): a process
 * crash keeps them, a node crash or power loss loses them, and nothing makes them durable — no
 * `fsync` (of them or of any other file), no writeback. They cost the device nothing.
 */
export interface Disk {
  /**
   * Replaces the file with one record. Returns false, changing nothing, when the disk refused the
   * write because it is full (a `disk-full` fault); true otherwise.
   */
  put(file: string, value: unknown, bytes: number): boolean;
  /** Appends one record to the file. Returns false, changing nothing, when the disk is full. */
  append(file: string, record: unknown, bytes: number): boolean;
  /** Keeps the first `length` records of the file. */
  truncate(file: string, length: number): void;
  delete(file: string): void;
  /** The file's records (page-cache view), or undefined if it does not exist. Do not mutate. */
  read(file: string): readonly unknown[] | undefined;
  /** The file's last record, or undefined. */
  get(file: string): unknown;
  /** This actor's file names, sorted. */
  files(): string[];
  /**
   * Whether some of what was written to the file is not yet on the device: dirty, or being written
   * by an fsync or writeback that has not completed (what Linux's `cachestat(2)` reports as dirty or
   * writeback pages). A file that does not exist is not unsynced.
   */
  unsynced(file: string): boolean;
  /** Makes every write issued so far durable; `done` fires when it is. */
  fsync(done?: Wakeup): void;
}

/**
 * What a torn write leaves on the device: a partial record. A real log detects one by its checksum;
 * here it is this marker, which `isTornRecord` recognises. Plain data, so it crosses threads.
 */
export interface TornRecord {
  readonly $torn: true;
}

export function isTornRecord(value: unknown): value is TornRecord {
  return typeof value === 'object' && value !== null && (value as { $torn?: unknown }).$torn === true;
}

/** Where the node's RAM disk is mounted, as on Linux: files named under it live in memory (see `Disk`). */
export const RAM_DISK_DIR = '/dev/shm/';
