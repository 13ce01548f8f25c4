/**
 * A catalog of stored checkpoints per key (operator instance), shared by the store actor and the
 * node-local tier: which entries exist, which chain restores a given id, what retention drops.
 *
 * Guarantee: `chain(key, id)` returns a whole chain (a full entry and the incrementals on it) or
 * undefined, never a partial one; `latest` is the newest entry with a whole chain. Retention
 * (unless it keeps everything) keeps every entry from the second-latest full checkpoint on, so the
 * latest checkpoint and the one before it can always be restored, and the whole chain of the entry
 * it is told to `keep` — the last complete global checkpoint, which checkpoints abandoned since
 * could otherwise push out.
 */
import { assert } from '../../../kernel/contract/index.ts';
import { chainTo, type StoredCheckpoint } from './image.ts';
import type { Retention } from './messages.ts';

export class CheckpointCatalog {
  /** key → id → entry, in ascending id order (ids only grow per key). */
  private readonly byKey = new Map<string, Map<number, StoredCheckpoint>>();
  /** key → the largest id added: what keeps `byKey`'s insertion order ascending. */
  private readonly newest = new Map<string, number>();

  /** Adds an entry; returns the ids retention dropped for that key. */
  add(key: string, entry: StoredCheckpoint, retention: Retention): number[] {
    const entries = this.entries(key);
    const newest = this.newest.get(key) ?? 0;
    // `latest` and retention read the entries in insertion order as id order; a re-sent put is the same entry.
    assert(entry.id > newest || entries.has(entry.id), () => `checkpoint ${key}: ids added in ascending order, but #${entry.id} arrives after #${newest}`);
    assert(entry.kind === 'full' || entry.base < entry.id, () => `checkpoint ${key}#${entry.id}: an incremental entry builds on an older one, but its base is ${entry.kind === 'incremental' ? entry.base : ''}`);
    entries.set(entry.id, entry);
    this.newest.set(key, Math.max(newest, entry.id));
    return retention.all ? [] : this.trim(key, retention.keep);
  }

  /** Whether `key`'s entry `id` is held (written, perhaps not yet durable). */
  has(key: string, id: number): boolean {
    return this.byKey.get(key)?.has(id) ?? false;
  }

  chain(key: string, id: number | 'latest'): StoredCheckpoint[] | undefined {
    const entries = this.byKey.get(key);
    if (entries === undefined) return undefined;
    if (id !== 'latest') return chainTo(entries, id);
    for (const candidate of [...entries.keys()].reverse()) {
      const chain = chainTo(entries, candidate);
      if (chain !== undefined) return chain;
    }
    return undefined;
  }

  /** Forgets everything (a medium that lost its contents). */
  clear(): void {
    this.byKey.clear();
    this.newest.clear();
  }

  totalBytes(): number {
    let bytes = 0;
    for (const entries of this.byKey.values()) for (const entry of entries.values()) bytes += entry.bytes;
    return bytes;
  }

  private trim(key: string, keep: number | undefined): number[] {
    const entries = this.entries(key);
    const fulls: number[] = [];
    for (const entry of entries.values()) if (entry.kind === 'full') fulls.push(entry.id);
    if (fulls.length < 3) return [];
    // The chain of `keep` (a complete global checkpoint) starts at its full base, which may be older.
    const kept = keep === undefined ? undefined : chainTo(entries, keep)?.[0]?.id;
    const keepFrom = Math.min(fulls[fulls.length - 2], kept ?? Infinity);
    const dropped: number[] = [];
    for (const id of [...entries.keys()]) {
      if (id >= keepFrom) break;
      entries.delete(id);
      dropped.push(id);
    }
    return dropped;
  }

  private entries(key: string): Map<number, StoredCheckpoint> {
    let entries = this.byKey.get(key);
    if (entries === undefined) {
      entries = new Map();
      this.byKey.set(key, entries);
    }
    return entries;
  }
}

const ID_DIGITS = 10;

/**
 * File names that sort by id while ids have at most ten digits. Independent checkpoints are
 * numbered by their time in µs, eleven digits after 2 h 46 min, so readers of a directory must not
 * take its listing's order for the ids' order: {@link oldestFirst}.
 */
export function checkpointFile(key: string, id: number): string {
  return `${key}#${String(id).padStart(ID_DIGITS, '0')}`;
}

/** The key of a file named by `checkpointFile`. */
export function keyOfFile(file: string): string | undefined {
  const at = file.lastIndexOf('#');
  return at < 0 ? undefined : file.slice(0, at);
}

/** Entries read back from files, in the order a catalog takes them: by id, oldest first. */
export function oldestFirst<T extends { readonly entry: StoredCheckpoint }>(read: T[]): T[] {
  return read.sort((a, b) => a.entry.id - b.entry.id);
}
