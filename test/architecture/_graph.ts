/**
 * The file-level import graph of the repository's source folders, and the cycles in it.
 *
 * Guarantee: every module reference the TypeScript compiler would follow is an edge — `import`,
 * `import type`, `import { type X }`, `export … from`, `export * from`, dynamic `import('…')`,
 * `typeof import('…')` / `import('…').T` in type positions, module augmentations
 * (`declare module './x.ts' { … }`), `import x = require('…')` and `require('…')` — resolved with
 * the repository's own tsconfig (so `.ts`/`.js` specifiers land on the file tsc would type-check).
 * An edge is `type` when the reference can never run (an `import type`, an import whose every name
 * is `type`, a type-position `import()`, an augmentation), `value` otherwise; a file reached both
 * ways keeps `value`. Packages (`zod`, `node:fs`) are not edges; the package's own name
 * (`diaspora-sim`, resolved through package.json `exports`) is. Not edges either: worker entry
 * points loaded through `new URL('./x.ts', import.meta.url)`, and `import(x)` of a computed
 * specifier (a plug-in path, a world recipe's module: named by data at run time).
 *
 * How it fails: a relative specifier that resolves to no file is listed in `unresolved` (file,
 * line, specifier) for the caller to fail on — a graph with a silent hole would let a forbidden
 * edge through.
 */
import ts from 'typescript';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export type EdgeKind = 'type' | 'value';

/** One module reference as written in a file. */
export interface Reference {
  readonly specifier: string;
  readonly kind: EdgeKind;
  /** 1-based line of the reference, for messages. */
  readonly line: number;
}

/** An edge between two repository files, paths relative to the root with `/` separators. */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly line: number;
}

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** Every module reference in one file's text (`fileName` picks the parser: TS, JS, declaration). */
export function referencesOf(fileName: string, text: string): Reference[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: Reference[] = [];
  const add = (literal: ts.Expression, kind: EdgeKind) => {
    // Static forms always hold a literal (else tsc reports a syntax error); `import(x)` is handled below.
    if (!ts.isStringLiteralLike(literal)) return;
    found.push({ specifier: literal.text, kind, line: lineOf(source, literal) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, importIsTypeOnly(node) ? 'type' : 'value');
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      add(node.moduleSpecifier, exportIsTypeOnly(node) ? 'type' : 'value');
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly ? 'type' : 'value');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, 'type');
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
      // `declare module './x.ts' { … }` augments x's types: a type dependency on x.
      add(node.name, 'type');
    } else if (ts.isCallExpression(node) && isModuleCall(node)) {
      // A computed specifier (a plug-in path, a world recipe's module) is data, not an edge.
      const [argument] = node.arguments;
      if (argument !== undefined) add(argument, 'value');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function lineOf(source: ts.SourceFile, node: ts.Node): number {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

/** `import type …`, or `import { type A, type B }` with no default and no untyped name. */
function importIsTypeOnly(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (clause === undefined) return false; // `import './x.ts'` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/** `export type { … } from`, or `export { type A } from` with every name typed. */
function exportIsTypeOnly(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** `import(…)` and `require(…)`. */
function isModuleCall(node: ts.CallExpression): boolean {
  if (node.expression.kind === ts.SyntaxKind.ImportKeyword) return true;
  return ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1;
}

/** Source files under `folders` (relative to `root`), sorted, as root-relative `/` paths. */
export function sourceFiles(root: string, folders: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (SOURCE.test(entry.name)) out.push(path);
    }
  };
  for (const folder of folders) walk(folder);
  return out.sort();
}

export interface Graph {
  readonly edges: readonly Edge[];
  /** `file:line 'specifier'` for each relative reference that resolves to no file. */
  readonly unresolved: readonly string[];
}

/** The import graph of `files`: every edge from one of them to a repository file (inside them or not). */
export function importGraph(root: string, files: readonly string[]): Graph {
  const options = compilerOptions(root);
  const host = ts.sys;
  const edges = new Map<string, Edge>();
  const unresolved: string[] = [];
  for (const from of files) {
    const absolute = join(root, from);
    for (const ref of referencesOf(absolute, readFileSync(absolute, 'utf8'))) {
      const relativeSpecifier = ref.specifier.startsWith('.') || ref.specifier.startsWith('/');
      if (!relativeSpecifier && ref.specifier.startsWith('node:')) continue;
      const resolved = ts.resolveModuleName(ref.specifier, absolute, options, host).resolvedModule;
      if (resolved === undefined) {
        if (relativeSpecifier) unresolved.push(`${from}:${ref.line} '${ref.specifier}'`);
        continue; // a package without types (its own import would fail type-checking anyway)
      }
      // A package is not an edge; the package's own name (`diaspora-sim`) resolves into src/ and is.
      if (resolved.isExternalLibraryImport === true) continue;
      const to = relative(root, resolved.resolvedFileName).split(sep).join('/');
      const key = `${from} -> ${to}`;
      const seen = edges.get(key);
      // One edge per pair of files; it runs code if any of its references does.
      if (seen === undefined || (seen.kind === 'type' && ref.kind === 'value')) edges.set(key, { from, to, kind: ref.kind, line: ref.line });
    }
  }
  return { edges: [...edges.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to)), unresolved };
}

function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return { ...ts.parseJsonConfigFileContent(config, ts.sys, root).options, allowJs: true };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The elementary cycles that cover every edge lying on a cycle: for each such edge `u → v`, the
 * shortest path back from `v` to `u`, closed by the edge. Each cycle is listed once (rotated to
 * start at its smallest file), as the files in order with the first repeated at the end.
 *
 * Why not all elementary cycles: their number grows exponentially with a tangle's size, and a
 * reader fixing the graph needs to see each offending edge once, not every path through it.
 */
export function cycles(edges: readonly Pick<Edge, 'from' | 'to'>[]): string[][] {
  const next = adjacency(edges);
  const component = stronglyConnected(next);
  const found = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (from === to) {
      found.set(from, [from, from]);
      continue;
    }
    if (component.get(from) !== component.get(to)) continue;
    const back = shortestPath(next, to, from, (n) => component.get(n) === component.get(from));
    if (back === undefined) continue;
    const ring = canonicalRing([from, ...back.slice(0, -1)]);
    found.set(ring.join(' -> '), [...ring, ring[0]!]);
  }
  return [...found.entries()].sort(([a], [b]) => compare(a, b)).map(([, cycle]) => cycle);
}

/** True when the edge `from → to` lies on some cycle of the graph. */
export function onCycle(edges: readonly Pick<Edge, 'from' | 'to'>[], from: string, to: string): boolean {
  if (from === to) return edges.some((e) => e.from === from && e.to === to);
  const component = stronglyConnected(adjacency(edges));
  return edges.some((e) => e.from === from && e.to === to) && component.get(from) === component.get(to);
}

function adjacency(edges: readonly Pick<Edge, 'from' | 'to'>[]): Map<string, string[]> {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, []);
    if (!next.has(to)) next.set(to, []);
    next.get(from)!.push(to);
  }
  for (const targets of next.values()) targets.sort(compare);
  return next;
}

/** Tarjan's algorithm (iterative, so a deep graph cannot overflow the stack): node → component id. */
function stronglyConnected(next: Map<string, string[]>): Map<string, number> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  let counter = 0;
  for (const start of [...next.keys()].sort(compare)) {
    if (index.has(start)) continue;
    const work: { node: string; child: number }[] = [{ node: start, child: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = next.get(frame.node)!;
      if (frame.child < targets.length) {
        const target = targets[frame.child++]!;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, child: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const id = index.get(frame.node)!;
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.set(member, id);
        } while (member !== frame.node);
      }
    }
  }
  return component;
}

/** Breadth-first shortest path from `start` to `goal` through nodes `inside` accepts (ties: sorted order). */
function shortestPath(next: Map<string, string[]>, start: string, goal: string, inside: (node: string) => boolean): string[] | undefined {
  const previous = new Map<string, string | undefined>([[start, undefined]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    if (node === goal) {
      const path: string[] = [];
      for (let at: string | undefined = node; at !== undefined; at = previous.get(at)) path.unshift(at);
      return path;
    }
    for (const target of next.get(node) ?? []) {
      if (previous.has(target) || !inside(target)) continue;
      previous.set(target, node);
      queue.push(target);
    }
  }
  return undefined;
}

/** The ring rotated to start at its smallest member, so the same cycle found twice reads the same. */
function canonicalRing(ring: readonly string[]): string[] {
  let best = 0;
  for (let i = 1; i < ring.length; i++) if (compare(ring[i]!, ring[best]!) < 0) best = i;
  return [...ring.slice(best), ...ring.slice(0, best)];
}
