/**
 * The determinism fence (STYLE.md habit 1) is enforced by ESLint; these tests prove it.
 *
 * - `src/` as it stands lints without errors.
 * - Each forbidden API, written in a file under a fenced folder (`src/features/…` and the others),
 *   is reported with a message that points at the actor's Context.
 * - The same code under `src/kernel/` (which implements the Context) is not reported.
 *
 * Fixtures are linted with `lintText` and a `filePath` that does not exist: flat config picks the
 * rules by path, and the (non type-aware) TypeScript parser needs no file on disk.
 */
import test from 'ava';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

// Core `no-restricted-imports` is the layer fence (which folders may import which), tested in
// layers.test.ts; the determinism fence uses the typescript-eslint rule of the same name.
const FENCE_RULES = new Set(['no-restricted-globals', 'no-restricted-properties', '@typescript-eslint/no-restricted-imports', 'no-restricted-syntax']);

const FENCED_FOLDERS = ['world', 'faults', 'features', 'check', 'metrics'];

interface Finding {
  rule: string;
  message: string;
  line: number;
}

async function lint(code: string, filePath: string): Promise<{ fence: Finding[]; fatal: Finding[] }> {
  const [result] = await eslint.lintText(code, { filePath });
  const all = result.messages.map((m) => ({ rule: m.ruleId ?? '(fatal)', message: m.message, line: m.line }));
  return { fence: all.filter((f) => FENCE_RULES.has(f.rule)), fatal: all.filter((f) => f.rule === '(fatal)') };
}

/** One forbidden use, written so that nothing but the fence could object to it. */
interface Fixture {
  what: string;
  code: string;
  rule: string;
}

const MODULES = [
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'net',
  'node:net',
  'http',
  'node:http',
  'https',
  'node:https',
  'dgram',
  'node:dgram',
  'child_process',
  'node:child_process',
  'worker_threads',
  'node:worker_threads',
  'crypto',
  'node:crypto',
  'perf_hooks',
  'node:perf_hooks',
  'timers',
  'node:timers',
  'timers/promises',
  'node:timers/promises',
];

const IMPORTS = '@typescript-eslint/no-restricted-imports';

const FIXTURES: Fixture[] = [
  { what: 'Date.now()', code: 'export const t = Date.now();', rule: 'no-restricted-globals' },
  { what: 'new Date()', code: 'export const d = new Date();', rule: 'no-restricted-globals' },
  { what: 'performance.now()', code: 'export const t = performance.now();', rule: 'no-restricted-globals' },
  { what: 'Math.random()', code: 'export const r = Math.random();', rule: 'no-restricted-properties' },
  { what: "Math['random']()", code: "export const r = Math['random']();", rule: 'no-restricted-properties' },
  { what: 'destructured Math.random', code: 'const { random } = Math;\nexport const r = random();', rule: 'no-restricted-properties' },
  { what: 'setTimeout', code: 'export const h = setTimeout(() => undefined, 1);', rule: 'no-restricted-globals' },
  { what: 'setInterval', code: 'export const h = setInterval(() => undefined, 1);', rule: 'no-restricted-globals' },
  { what: 'setImmediate', code: 'export const h = setImmediate(() => undefined);', rule: 'no-restricted-globals' },
  { what: 'queueMicrotask', code: 'queueMicrotask(() => undefined);', rule: 'no-restricted-globals' },
  { what: 'globalThis.setTimeout', code: 'export const h = globalThis.setTimeout(() => undefined, 1);', rule: 'no-restricted-properties' },
  { what: 'globalThis.Date', code: 'export const t = globalThis.Date.now();', rule: 'no-restricted-properties' },
  { what: 'process.hrtime()', code: 'export const t = process.hrtime();', rule: 'no-restricted-properties' },
  { what: 'process.hrtime.bigint()', code: 'export const t = process.hrtime.bigint();', rule: 'no-restricted-properties' },
  { what: 'crypto.randomUUID()', code: 'export const u = crypto.randomUUID();', rule: 'no-restricted-properties' },
  { what: 'crypto.getRandomValues()', code: 'export const u = crypto.getRandomValues(new Uint8Array(4));', rule: 'no-restricted-properties' },
  { what: 'crypto.randomBytes()', code: 'declare const crypto: { randomBytes(n: number): Uint8Array };\nexport const u = crypto.randomBytes(4);', rule: 'no-restricted-properties' },
  { what: 'WeakRef', code: 'export const w = new WeakRef({});', rule: 'no-restricted-globals' },
  { what: 'FinalizationRegistry', code: 'export const f = new FinalizationRegistry(() => undefined);', rule: 'no-restricted-globals' },
  ...MODULES.map((name) => ({ what: `import from '${name}'`, code: `import * as m from '${name}';\nexport { m };`, rule: IMPORTS })),
  { what: "named import from 'node:crypto'", code: "import { randomUUID } from 'node:crypto';\nexport const u = randomUUID();", rule: IMPORTS },
  { what: "re-export from 'node:fs'", code: "export { readFileSync } from 'node:fs';", rule: IMPORTS },
  { what: "dynamic import('node:fs')", code: "export const load = () => import('node:fs');", rule: 'no-restricted-syntax' },
  { what: "dynamic import('fs/promises')", code: "export const load = () => import('fs/promises');", rule: 'no-restricted-syntax' },
  { what: "require('child_process')", code: "declare const require: (id: string) => unknown;\nexport const cp = require('child_process');", rule: 'no-restricted-syntax' },
];

test('src/ lints without errors', async (t) => {
  const results = await eslint.lintFiles(['src']);
  const errors = results.flatMap((r) =>
    r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath.slice(root.length)}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`),
  );
  t.true(results.length > 0, 'eslint found no files under src/');
  t.deepEqual(errors, []);
});

for (const fixture of FIXTURES) {
  test(`fenced: ${fixture.what} is reported under src/features`, async (t) => {
    const { fence, fatal } = await lint(fixture.code, 'src/features/lint-fixture/actors/actor.ts');
    t.deepEqual(fatal, [], 'the fixture must parse');
    const hits = fence.filter((f) => f.rule === fixture.rule);
    t.true(hits.length > 0, `expected ${fixture.rule}, got ${JSON.stringify(fence)}`);
    for (const hit of hits) t.regex(hit.message, /actor's Context/);
  });

  test(`kernel: ${fixture.what} is allowed under src/kernel`, async (t) => {
    const { fence, fatal } = await lint(fixture.code, 'src/kernel/lint-fixture.ts');
    t.deepEqual(fatal, []);
    t.deepEqual(fence, []);
  });
}

test('the fence covers every folder below the kernel, and not the runners above it', async (t) => {
  const code = "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\nexport const t = Date.now() + Math.random();";
  for (const folder of FENCED_FOLDERS) {
    const { fence } = await lint(code, `src/${folder}/deep/nested/fixture.ts`);
    t.deepEqual(
      [...new Set(fence.map((f) => f.rule))].sort(),
      [IMPORTS, 'no-restricted-globals', 'no-restricted-properties'],
      `src/${folder}`,
    );
  }
  // exec/ runs worlds and writes results; it is outside the fence by design (DESIGN.md layers).
  for (const outside of ['src/kernel/fixture.ts', 'src/exec/fixture.ts', 'src/cli/fixture.ts']) {
    t.deepEqual((await lint(code, outside)).fence, [], outside);
  }
});

test('what the fence allows: the Context, type-only imports of fenced modules, look-alike names', async (t) => {
  const code = [
    "import type { Stats } from 'node:fs';",
    "import type { Context } from '../../../kernel/contract/index.ts';",
    'export function tick(ctx: Context, stats?: Stats): number {',
    "  ctx.setTimer(1_000, 'tick');",
    "  const rng = ctx.rng('workload');",
    '  const schedule = { setTimeout: 5, random: () => 4 };',
    '  return ctx.now() + rng.next() + schedule.setTimeout + schedule.random() + Math.floor(stats?.size ?? 0);',
    '}',
  ].join('\n');
  const { fence, fatal } = await lint(code, 'src/features/lint-fixture/actors/actor.ts');
  t.deepEqual(fatal, []);
  t.deepEqual(fence, []);
});
