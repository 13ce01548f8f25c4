/**
 * The read side of an actor's `Disk`, shared by the simulated disk (world/disk.ts) and the real
 * one of emulation (exec/emulate/real-disk.ts): both keep each file's live (page-cache) records,
 * `undefined` once deleted, and answer reads from them the same way.
 *
 * Guarantee: a deleted file is never listed, and names come sorted, so a loop over them is in
 * the same order in both worlds. How it fails: it reads the page cache, not the device: what a
 * power loss will take is read as if durable until the loss (the disks decide that).
 */

interface LiveFile {
  live: unknown[] | undefined;
}

/** The file's last record, or undefined when it is missing or empty. */
export function lastRecord(records: readonly unknown[] | undefined): unknown {
  return records === undefined ? undefined : records[records.length - 1];
}

/** The names of the files that exist (not deleted), sorted. */
export function liveFileNames(files: ReadonlyMap<string, LiveFile>): string[] {
  const names: string[] = [];
  for (const [name, state] of files) if (state.live !== undefined) names.push(name);
  return names.sort();
}
