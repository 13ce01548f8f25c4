/**
 * Where a `node --cpu-prof` profile spends its time: self time per function and per source file
 * (or package), and the garbage collector's share, as plain-text tables for bench/README.md.
 *
 * Self time of a sample is the time until the next sample (`timeDeltas`), charged to the function
 * on top of the stack — including whatever V8 inlined into it. Functions are keyed by name, file
 * and line, so the same function reached by different stacks counts once.
 *
 * A profile of the compiled CLI names dist/'s bundled chunks, each holding many modules: a frame
 * there is named by the source module it comes from (esbuild writes a `// src/…` line before each
 * module it bundles; the chunk is read for them, once), so the per-file table reads by source file.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

/** The parts of a `.cpuprofile` (Chrome DevTools format) this reads. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SummaryOptions {
  /** How many functions to list. */
  top: number;
  /** Files under this directory are shown relative to it. */
  root: string;
}

/** Source file → short name: a path under `root`, `pkg:<name>` for node_modules, or the URL; in a dist/ bundle, the bundled module. */
function place(url: string, line: number, root: string): string {
  if (url === '') return '(native / VM)';
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const bundled = path.includes('/dist/') ? bundledModule(path, line) : undefined;
  if (bundled !== undefined) return bundled.startsWith('node_modules/') ? `pkg:${packageOf(bundled)}` : bundled;
  const inModules = packageOf(path);
  if (inModules !== undefined) return `pkg:${inModules}`;
  const base = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(base) ? path.slice(base.length) : path;
}

function packageOf(path: string): string | undefined {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
}

/** Per bundled file: the 0-based line of each `// src/…` or `// node_modules/…` marker esbuild wrote, and its module. */
const markers = new Map<string, [number, string][]>();

/** The module of a bundled file that line `line` (0-based) belongs to; undefined outside any (or the file is gone). */
function bundledModule(path: string, line: number): string | undefined {
  let found = markers.get(path);
  if (found === undefined) {
    found = [];
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      // Rebuilt since the profile was taken: named by the chunk.
    }
    for (const [i, l] of text.split('\n').entries()) {
      const module = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(l)?.[1];
      if (module !== undefined) found.push([i, module]);
    }
    markers.set(path, found);
  }
  let module: string | undefined;
  for (const [at, name] of found) {
    if (at > line) break;
    module = name;
  }
  return module;
}

function percent(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(1)} %`;
}

export function summarizeProfile(profile: CpuProfile, options: SummaryOptions): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByFunction = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // The delta after sample i is the time spent in it; the last sample has none.
    const micros = profile.timeDeltas[i + 1] ?? 0;
    const frame = byId.get(profile.samples[i])!.callFrame;
    if (frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    total += micros;
    const file = place(frame.url, frame.lineNumber, options.root);
    // tsx strips line breaks from what it compiles: a line is worth printing only past the first.
    // A bundled module's line is the bundle's: it is named with the bundle's file, not the module's.
    const at = file.startsWith('src/') && frame.url.includes('/dist/') ? `  (${frame.url.slice(frame.url.lastIndexOf('/') + 1)}:${frame.lineNumber + 1})` : frame.lineNumber > 0 ? `:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}  ${file}${at}`;
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + micros);
    selfByFile.set(file, (selfByFile.get(file) ?? 0) + micros);
  }
  const rank = (m: Map<string, number>, limit: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([key, micros]) => `${percent(micros, total).padStart(7)}  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}`);
  const gc = [...selfByFunction].filter(([key]) => key.startsWith('(garbage collector)')).reduce((sum, [, micros]) => sum + micros, 0);
  return [
    `sampled ${(total / 1000).toFixed(0)} ms busy (${(idle / 1000).toFixed(0)} ms idle); garbage collector ${percent(gc, total)}`,
    '',
    `top ${options.top} functions by self time:`,
    ...rank(selfByFunction, options.top),
    '',
    'self time by source file or package:',
    ...rank(selfByFile, 20),
  ].join('\n');
}
