/**
 * Joins the slices of a sharded sweep (`--shard i/n`, e.g. the tasks of a Slurm job array) into
 * the records of the whole sweep.
 *
 * Guarantee: the result is the manifest and the records the unsharded sweep would have, in cell
 * order — so the reports written from it are byte-for-byte those of the unsharded sweep. Slices
 * may overlap (a slice re-run, or a whole sweep given with its slices); a cell that appears twice
 * must have the same outcome both times.
 *
 * Failure (`InputError`, one line): a directory that is not a sweep, slices of different sweeps,
 * a line whose cell or index is not the spec's, a cell whose two copies disagree, or cells that no slice holds (naming the slices to run).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../kernel/index.ts';
import { type CellRecord, cellOutcome, type Manifest, readManifest, readResultsLog, RESULTS_LOG } from './sweep-log.ts';
import { cellsOf, shardOf } from './sweep-plan.ts';

export interface Merged {
  manifest: Manifest;
  records: CellRecord[];
}

export function mergeSweeps(dirs: readonly string[]): Merged {
  if (dirs.length === 0) throw new InputError('merge: name the sweep directories (slices) to join');
  const slices = dirs.map((dir) => {
    const manifest = readManifest(dir);
    if (manifest === undefined) {
      const kind = statSync(dir, { throwIfNoEntry: false });
      const what = kind === undefined ? 'no such directory' : !kind.isDirectory() ? 'not a directory' : 'no sweep.json here';
      throw new InputError(`${dir}: ${what}; merge joins directories written by diaspora sweep`);
    }
    return { dir, manifest };
  });
  const first = slices[0]!;
  for (const { dir, manifest } of slices) {
    if (manifest.id !== first.manifest.id) {
      throw new InputError(`${dir} holds sweep ${manifest.id} but ${first.dir} holds sweep ${first.manifest.id}; merge joins slices of one sweep`);
    }
  }
  const { shard: _, ...whole } = first.manifest;
  const cells = cellsOf(whole.spec);
  // A line's cell and index must agree with the spec, as a resume checks (sweep.ts): merged as it is, an edited index would be written into the whole sweep's results.
  const indexOf = new Map(cells.map((cell) => [cell.key, cell.index]));
  const byKey = new Map<string, { record: CellRecord; dir: string }>();
  for (const { dir } of slices) {
    for (const [i, record] of readResultsLog(dir, first.manifest.id).records.entries()) {
      if (indexOf.get(record.cell) !== record.index) throw new InputError(`${join(dir, RESULTS_LOG)}:${i + 1}: cell "${record.cell}" (index ${record.index}) is not a cell of this sweep; the file was edited`);
      const seen = byKey.get(record.cell);
      if (seen === undefined) byKey.set(record.cell, { record, dir });
      else if (cellOutcome(seen.record) !== cellOutcome(record)) {
        throw new InputError(`cell "${record.cell}" differs between ${seen.dir} and ${dir} (${cellOutcome(seen.record)} vs ${cellOutcome(record)}); a run is not deterministic, or the slices were run by different builds`);
      }
    }
  }
  const missing = cells.filter((cell) => !byKey.has(cell.key));
  if (missing.length > 0) throw new InputError(missingMessage(missing, cells.length, slices.map((s) => s.manifest)));
  return { manifest: whole, records: cells.map((cell) => byKey.get(cell.key)!.record) };
}

function missingMessage(missing: readonly { key: string; index: number }[], total: number, manifests: readonly Manifest[]): string {
  const counts = new Set(manifests.map((m) => m.shard?.count));
  const head = `${missing.length} of ${total} cells are missing (e.g. "${missing[0]!.key}")`;
  const count = [...counts][0];
  if (counts.size !== 1 || count === undefined) return `${head}; finish the slices that hold them (run the same command again to resume) and merge again`;
  const present = new Set(manifests.map((m) => m.shard!.index));
  const absent = Array.from({ length: count }, (_, i) => i).filter((i) => !present.has(i));
  const unfinished = [...present].filter((i) => missing.some((cell) => shardOf([cell], { index: i, count }).length > 0)).sort((a, b) => a - b);
  const parts = [
    absent.length > 0 ? `no directory for slice${absent.length > 1 ? 's' : ''} ${absent.map((i) => `${i}/${count}`).join(', ')}` : '',
    unfinished.length > 0 ? `slice${unfinished.length > 1 ? 's' : ''} ${unfinished.map((i) => `${i}/${count}`).join(', ')} did not finish (run again to resume)` : '',
  ].filter((part) => part !== '');
  return `${head}: ${parts.join('; ')}`;
}
