/**
 * The machinery under import-graph.test.ts, checked on small inputs where the answer is known: every
 * form of module reference becomes an edge of the right kind (and nothing else does), the parse
 * finds every reference the compiler's own scanner finds in the real sources, cycles are found and
 * reported as paths, and rule patterns bind a feature's own folder.
 */
import test from 'ava';
import ts from 'typescript';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cycles, onCycle, referencesOf, sourceFiles, type Edge } from './_graph.ts';
import { governing, permits, violations, type Rule } from './_rules.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('every form of module reference is found, with its kind', (t) => {
  const code = [
    "import a from './value-default.ts';",
    "import { b } from './value-named.ts';",
    "import * as c from './value-namespace.ts';",
    "import './side-effect.ts';",
    "import type { D } from './type-only.ts';",
    "import { type E, type F } from './all-names-typed.ts';",
    "import { type G, h } from './one-name-untyped.ts';",
    "export { i } from './re-export.ts';",
    "export type { J } from './type-re-export.ts';",
    "export * from './star.ts';",
    "export * as k from './star-as.ts';",
    "const l = await import('./dynamic.ts');",
    "type M = typeof import('./type-position.ts');",
    "type N = import('./type-position-member.ts').N;",
    "declare const require: (id: string) => unknown;",
    "const o = require('./required.ts');",
    'const computed = "./computed.ts";',
    'const p = await import(computed);',
    "const q = import('zod');",
    "declare module './augmented.ts' { interface Sections { mine: string } }",
    "export { a, b, c, l, o, p, q };",
    "export type { D, E, F, G, M, N };",
    'export const r = h;',
  ].join('\n');
  const found = referencesOf('/virtual/module.ts', code).map((r) => `${r.kind} ${r.specifier}`);
  t.deepEqual(found, [
    'value ./value-default.ts',
    'value ./value-named.ts',
    'value ./value-namespace.ts',
    'value ./side-effect.ts',
    'type ./type-only.ts',
    'type ./all-names-typed.ts',
    'value ./one-name-untyped.ts',
    'value ./re-export.ts',
    'type ./type-re-export.ts',
    'value ./star.ts',
    'value ./star-as.ts',
    'value ./dynamic.ts',
    'type ./type-position.ts',
    'type ./type-position-member.ts',
    'value ./required.ts',
    'value zod',
    'type ./augmented.ts',
  ]);
});

test('the parse finds every reference the compiler scanner finds in src/ and viz/', (t) => {
  // ts.preProcessFile is what tsc uses to discover files; if it sees a specifier our walk misses,
  // the graph has a hole.
  const missed: string[] = [];
  for (const file of sourceFiles(root, ['src', 'viz'])) {
    const text = readFileSync(`${root}${file}`, 'utf8');
    const ours = new Set(referencesOf(file, text).map((r) => r.specifier));
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) if (!ours.has(fileName)) missed.push(`${file}: ${fileName}`);
  }
  t.deepEqual(missed, []);
});

const edge = (from: string, to: string): Edge => ({ from, to, kind: 'value', line: 1 });

test('cycles: each edge on a cycle is shown in one, as a path that closes on itself', (t) => {
  const graph = [edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('c', 'd'), edge('d', 'c'), edge('d', 'e'), edge('e', 'f'), edge('g', 'g')];
  t.deepEqual(cycles(graph), [
    ['a', 'b', 'c', 'a'],
    ['c', 'd', 'c'],
    ['g', 'g'],
  ]);
  t.true(onCycle(graph, 'c', 'a'));
  t.true(onCycle(graph, 'g', 'g'));
  t.false(onCycle(graph, 'd', 'e'), 'e leads nowhere back');
  t.false(onCycle(graph, 'a', 'c'), 'no such edge');
});

test('cycles: a chain and a diamond have none', (t) => {
  t.deepEqual(cycles([edge('a', 'b'), edge('b', 'c'), edge('a', 'c'), edge('c', 'd'), edge('b', 'd')]), []);
});

test('cycles: removing one edge of a cycle breaks it', (t) => {
  const ring = [edge('x', 'y'), edge('y', 'z'), edge('z', 'x')];
  t.is(cycles(ring).length, 1);
  t.deepEqual(cycles(ring.filter((e) => !(e.from === 'z' && e.to === 'x'))), []);
});

const RULES: Rule[] = [
  { name: 'actors', files: ['src/features/<f>/actors/**'], may: ['src/kernel/contract/**', 'src/features/<f>/actors/**', 'src/features/*/actors/index.ts'], why: 'test' },
  { name: 'report', files: ['src/report/**'], may: ['src/report/**'], mayTypes: ['src/scenario/**'], why: 'test' },
  { name: 'root', files: ['viz/*.ts'], may: [], why: 'test' },
];

test('rules: <f> binds the importing feature, * matches any', (t) => {
  const governed = governing(RULES, 'src/features/log/actors/leader.ts');
  t.is(governed?.rule.name, 'actors');
  t.is(governed?.binding, 'log');
  const from = 'src/features/log/actors/leader.ts';
  t.true(permits(governed!, edge(from, 'src/features/log/actors/stream/deep.ts')), 'own actors, any depth');
  t.true(permits(governed!, edge(from, 'src/features/store/actors/index.ts')), "another feature's entry point");
  t.false(permits(governed!, edge(from, 'src/features/store/actors/messages.ts')), "another feature's internals");
  t.false(permits(governed!, edge(from, 'src/features/log/checks/skip.ts')), 'own checks');
  t.false(permits(governed!, edge(from, 'src/kernel/simulator.ts')));
  t.true(permits(governed!, edge(from, 'src/kernel/contract/index.ts')));
});

test('rules: mayTypes admits type-only edges only; * stays within a segment; unmatched files are ungoverned', (t) => {
  const report = governing(RULES, 'src/report/timeline/page.ts')!;
  t.true(permits(report, { ...edge('src/report/timeline/page.ts', 'src/scenario/types.ts'), kind: 'type' }));
  t.false(permits(report, edge('src/report/timeline/page.ts', 'src/scenario/types.ts')));
  t.is(governing(RULES, 'viz/globals.d.ts')?.rule.name, 'root');
  t.is(governing(RULES, 'viz/ui/app.ts'), undefined);
  t.is(governing(RULES, 'src/features/log/index.ts'), undefined);
  t.deepEqual(
    violations(RULES, [edge('src/report/a.ts', 'src/exec/run.ts'), edge('src/report/a.ts', 'src/report/b.ts'), edge('src/cli/x.ts', 'src/exec/run.ts')]).map((v) => `${v.rule.name}: ${v.edge.to}`),
    ['report: src/exec/run.ts'],
  );
});
