/**
 * Reads a scenario file: its text (see encoding.ts), its plug-in modules, then `parse.ts` — a
 * validated, resolved `Scenario` out, or an `InputError` with one placed line per problem (see
 * parse.ts). An unreadable file is an `InputError` naming it.
 */
import { closeSync, constants, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { InputError } from '../kernel/contract/index.ts';
import { unreadableBecause } from '../kernel/file-errors.ts';
import { decodeScenarioBytes } from './encoding.ts';
import { parseScenario, type PluginResolver } from './parse.ts';
import { pathOfSet, setWriting, shownSet } from './overrides.ts';
import { parsePath } from './paths.ts';
import { loadPlugins } from './plugin-load.ts';
import { isRecord } from './schema-walk.ts';
import type { Scenario } from './types.ts';
import { checkYamlDepth, SCENARIO_YAML, yamlData } from './yaml-guard.ts';
import { leadAsWritten, lineOf, writtenScalar } from './yaml-locate.ts';

/**
 * @param text the YAML source
 * @param file how to name the file in messages (as the user gave it); plug-in paths are relative to its folder
 * @param sets `path=value` overrides, applied in order before validation
 */
export function loadScenario(text: string, file: string, sets: readonly string[] = []): Scenario {
  return parseScenario(text, file, sets, resolvePlugins);
}

/** {@link loadScenario} on a file; `path` is also how messages name it. */
export function loadScenarioFile(path: string, sets: readonly string[] = []): Scenario {
  return loadScenario(readScenarioText(path), path, sets);
}

/** {@link loadScenario}, after importing the plug-in modules the file names (`plugins:`). */
export async function loadScenarioAsync(text: string, file: string, sets: readonly string[] = []): Promise<Scenario> {
  await loadScenarioPlugins(text, file);
  return loadScenario(text, file, sets);
}

/** Imports the plug-in modules a scenario's text names, so that {@link loadScenario} accepts it. */
export async function loadScenarioPlugins(text: string, file: string): Promise<void> {
  if (!mayNamePlugins(text)) return;
  checkYamlDepth(text, file);
  const raw = (() => {
    try {
      const lines = new LineCounter();
      return yamlData(parseDocument(text, { ...SCENARIO_YAML, lineCounter: lines }), lines, file);
    } catch {
      return undefined; // loadScenario reports it, placed in the file
    }
  })();
  const plugins = isRecord(raw) ? pluginPaths(raw, file) : [];
  for (const [i, path] of plugins.entries()) {
    try {
      await loadPlugins([path]);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const lines = new LineCounter();
      const doc = parseDocument(text, { ...SCENARIO_YAML, lineCounter: lines });
      throw new InputError(`${file}:${lineOf(doc, lines, ['plugins', i])} plugins[${i}]: ${error.message.replace(/^plugin \S+: /, '')}`);
    }
  }
}

/** {@link loadScenarioAsync} on a file; `path` is also how messages name it. */
export async function loadScenarioFileAsync(path: string, sets: readonly string[] = []): Promise<Scenario> {
  return loadScenarioAsync(readScenarioText(path), path, sets);
}

/** A scenario file's text (see encoding.ts); `path` is also how messages name it. */
export function readScenarioText(path: string): string {
  let bytes: Buffer;
  try {
    // A device (/dev/zero, /dev/urandom) never ends: reading it would fill the memory. A pipe
    // (`<(sed … x.yaml)`) is read like a file, unless nothing writes to it (readPipe).
    const kind = statSync(path);
    if (kind.isCharacterDevice() || kind.isBlockDevice() || kind.isSocket()) throw new InputError(`${path}: a device or socket, not a scenario file`);
    bytes = kind.isFIFO() ? readPipe(path) : readFileSync(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const why = (error as NodeJS.ErrnoException).code === 'EISDIR' ? 'is a directory, not a scenario file' : unreadableBecause(path, error, 'no such file');
    throw new InputError(`${path}: ${why}`);
  }
  return decodeScenarioBytes(bytes, path);
}

/** How long a named pipe no program has opened for writing is waited for before it is refused. */
const PIPE_WRITER_WAIT_MS = 1000;

/**
 * The bytes of a pipe: `<(program)`, or a named pipe (mkfifo) another program writes to. Opened
 * without blocking, since opening a named pipe nobody writes to waits for a writer forever (a
 * `diaspora run fifo.yaml` that hung): a pipe whose end comes before any byte and stays so for
 * PIPE_WRITER_WAIT_MS has no writer, and is refused. A writer that is there but slow is waited
 * for, as any reader of a pipe waits.
 */
function readPipe(path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  try {
    const chunks: Buffer[] = [];
    const buffer = Buffer.allocUnsafe(1 << 16);
    for (let waited = 0; ; ) {
      let read: number;
      try {
        read = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        // A writer holds the pipe open and has not written yet.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        Atomics.wait(pause, 0, 0, 10);
        continue;
      }
      if (read > 0) chunks.push(Buffer.from(buffer.subarray(0, read)));
      else if (chunks.length > 0 || waited >= PIPE_WRITER_WAIT_MS) break;
      else {
        // The end before any byte: no writer (yet; one that starts now opens the pipe in a moment).
        Atomics.wait(pause, 0, 0, 50);
        waited += 50;
      }
    }
    if (chunks.length === 0) {
      throw new InputError(`${path}: a named pipe nothing writes to (no writer came in ${PIPE_WRITER_WAIT_MS / 1000} s); start the program that writes it first, or give a file`);
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether YAML `text` can have a `plugins` key at all: only if it spells the word, or writes a key
 * with an escape (a double-quoted `"plu\x67ins"`, a line continued by `\`) — folding a plain or
 * quoted key over lines puts a space in it, and an alias names what its anchor spells. Most
 * scenarios name no plug-in, and a start then parses its file once (loadScenario), not twice:
 * the first parse, of code not yet compiled, is ≈ 20–30 ms of a `diaspora run`.
 */
function mayNamePlugins(text: string): boolean {
  return text.includes('plugins') || text.includes('\\');
}

/**
 * The plug-in modules a scenario names, as absolute paths: relative ones from the folder of the
 * scenario file — the one the text was read from, or will be written to (`diaspora shrink` checks
 * its minimal scenario before writing it); a name that is no path (`minimal scenario`) means the
 * working directory. Malformed lists are left to the schema, which reports them at their line.
 */
function pluginPaths(raw: Record<string, unknown>, file: string): string[] {
  const list = raw.plugins;
  if (!Array.isArray(list) || !list.every((entry): entry is string => typeof entry === 'string' && entry.length > 0)) return [];
  return resolvePlugins(list, file);
}

const resolvePlugins: PluginResolver = (list, file) => {
  const base = dirname(resolve(file));
  return list.map((entry) => resolve(base, entry));
};

/**
 * Places problems found after validation (while the world is built: a fault target with no such
 * process, an actor name taken twice) in the scenario file: each line `path: message` becomes
 * `file:line path: message`. Other lines (about flags, or already placed) are left as they are.
 * Give the `text` already read when there is one: a pipe (`<(…)`) cannot be read a second time, and
 * the file is read only when a line needs placing. A field that a `--set` of `sets` wrote (or one
 * below it) is placed at that `--set` instead, as the schema's problems are: its value is not the
 * one on the file's line.
 */
export function locateInFile(file: string, message: string, text?: string, sets: readonly string[] = []): string {
  let doc: Document | undefined | null = null;
  const lines = new LineCounter();
  const parsed = (): Document | undefined => {
    if (doc !== null) return doc;
    try {
      const source = text ?? readScenarioText(file);
      checkYamlDepth(source, file);
      doc = parseDocument(source, { ...SCENARIO_YAML, lineCounter: lines, prettyErrors: false });
    } catch {
      doc = undefined;
    }
    return doc;
  };
  return message
    .split('\n')
    .map((line) => {
      // Already placed in the file (it could not be read: `x.yaml: no such file`), not a field.
      if (line.startsWith(`${file}:`)) return line;
      const field = /^([^\s:]+): /.exec(line)?.[1];
      const path = field === undefined ? undefined : parsePath(field);
      if (path === undefined || typeof path === 'string') return line;
      // The value quoted as written (`--set quiesce=0s quiesce: 0s is too short`, not "0us").
      const said = (written: string | undefined) => `${field}: ${leadAsWritten(line.slice(field!.length + 2), written)}`;
      const set = setWriting(sets, path);
      if (set !== undefined) {
        const value = parseDocument(set.slice(set.indexOf('=') + 1));
        return `--set ${shownSet(set)} ${said(writtenScalar(value, path.slice(pathOfSet(set)!.length)))}`;
      }
      const placed = parsed();
      return placed === undefined ? `${file}: ${line}` : `${file}:${lineOf(placed, lines, path)} ${said(writtenScalar(placed, path))}`;
    })
    .join('\n');
}
