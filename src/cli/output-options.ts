/**
 * `--out`, `-o`, `--perfetto` and `--force` for every command that writes: the output targets,
 * checked before any work starts (see `exec/output-guard.ts` for the rules), and the notes about
 * stale temporary output printed on stderr.
 */
import { checkOutputDirectory } from '../exec/output-guard.ts';
import { prepareOutputFile, StagedDirectory } from '../exec/staging.ts';
import { PERFETTO_HEAD, SHIVIZ_HEAD } from '../report/file-heads.ts';

export const FORCE_OPTION = {
  force: {
    type: 'boolean',
    default: false,
    describe: "Replace diaspora's own earlier output at the target (never anything else)",
  },
} as const;

/** How messages name a target: the flag and the path as given, or the path alone for a default. */
export function targetLabel(flag: string, given: string | undefined, path: string): string {
  if (given === undefined) return path;
  return given === '' ? flag : `${flag} ${given}`;
}

/** Checks the output directory `out ?? fallback` early, before slow work (cells) that would be lost. */
export function checkOutputTarget(out: string | undefined, fallback: string, force: boolean): void {
  const path = out ?? fallback;
  checkOutputDirectory(path, { label: targetLabel('--out', out, path), force });
}

/** Starts staging the output directory `out ?? fallback` (checked), printing notes on stderr. */
export function stageOutput(out: string | undefined, fallback: string, kind: string, force: boolean): StagedDirectory {
  const path = out ?? fallback;
  const dir = new StagedDirectory(path, { label: targetLabel('--out', out, path), force, kind });
  printNotes(dir.notes);
  return dir;
}

/** The kinds of single file diaspora writes, each known by how it begins, and the endings its name may have. */
export const OWN_FILES = {
  timeline: { what: 'timeline', format: 'an HTML page', extensions: ['.html', '.htm'], own: (head: string) => head.includes('<meta name="generator" content="diaspora-sim timeline">') },
  perfetto: { what: 'Perfetto trace', format: 'JSON', extensions: ['.json'], own: (head: string) => head.startsWith(PERFETTO_HEAD) },
  shiviz: { what: 'ShiViz log', format: 'text', extensions: ['.log', '.txt'], own: (head: string) => head.startsWith(SHIVIZ_HEAD) },
  gallery: { what: 'gallery page', format: 'an HTML page', extensions: ['.html'], own: (head: string) => head.includes('<meta name="generator" content="diaspora-sim gallery">') },
  lab: { what: 'lab page', format: 'an HTML page', extensions: ['.html'], own: (head: string) => head.includes('<meta name="generator" content="diaspora-sim lab">') },
  shrunk: { what: 'minimal scenario', format: 'a YAML scenario file', extensions: ['.yaml', '.yml'], own: (head: string) => head.startsWith('# Minimal failing scenario written by diaspora shrink') },
} as const;

/** Checks and prepares the single file `path`; returns the function to call once it is written. */
export function prepareFile(path: string, label: string, kind: keyof typeof OWN_FILES, force: boolean, interruptible: boolean): () => void {
  const { notes, release } = prepareOutputFile(path, { label, force, ...OWN_FILES[kind], interruptible });
  printNotes(notes);
  return release;
}

function printNotes(notes: readonly string[]): void {
  for (const note of notes) process.stderr.write(`note: ${note}\n`);
}
