/**
 * The timeline page's layers, checked rather than hoped for: viz/'s folders are ordered wire →
 * model → draw → panels → ui → lab (the lab page), and a module imports only from its own folder or an earlier one;
 * no viz module is in an import cycle (type imports included); and src/report/ reaches into viz/
 * only through viz/wire/, the format both sides share.
 */
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../..');
// The lab page (viz/lab) composes the timeline's modules, so it comes after the timeline's UI.
const LAYERS = ['wire', 'model', 'draw', 'panels', 'ui', 'lab'];

/** Repository-relative path of every `.ts` file under `dir`. */
async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** The repository-relative files `file` imports or re-exports, type-only imports included. */
async function imports(file: string): Promise<string[]> {
  const { importedFiles } = ts.preProcessFile(await readFile(join(ROOT, file), 'utf8'), true, true);
  return importedFiles.map((i) => i.fileName).filter((name) => name.startsWith('.'))
    .map((name) => relative(ROOT, resolve(ROOT, dirname(file), name)));
}

const layerOf = (file: string) => LAYERS.indexOf(file.split('/')[1]);

test('every viz module sits in a layer and imports only its own layer or earlier ones', async (t) => {
  const wrong: string[] = [];
  for (const file of await sources('viz')) {
    const layer = layerOf(file);
    if (layer < 0) wrong.push(`${file} is in no layer (${LAYERS.join(', ')})`);
    for (const target of await imports(file)) {
      if (!target.startsWith('viz/')) wrong.push(`${file} imports ${target}, outside viz/`);
      else if (layerOf(target) > layer) wrong.push(`${file} imports ${target}, a later layer`);
    }
  }
  t.deepEqual(wrong, []);
});

test('no viz module is in an import cycle', async (t) => {
  const files = await sources('viz');
  const edges = new Map(await Promise.all(files.map(async (f) => [f, await imports(f)] as const)));
  const cycles: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): void => {
    const at = path.indexOf(file);
    if (at >= 0) return void cycles.push([...path.slice(at), file].join(' → '));
    if (done.has(file)) return;
    path.push(file);
    for (const target of edges.get(file) ?? []) visit(target);
    path.pop();
    done.add(file);
  };
  files.forEach(visit);
  t.deepEqual(cycles, []);
});

test('src/report imports from viz only its wire format', async (t) => {
  const wrong: string[] = [];
  for (const file of await sources('src/report')) {
    for (const target of await imports(file)) if (target.startsWith('viz/') && !target.startsWith('viz/wire/')) wrong.push(`${file} imports ${target}`);
  }
  t.deepEqual(wrong, []);
});
