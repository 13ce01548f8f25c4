/**
 * ESLint flat config.
 *
 * Two layers:
 *  1. A modest base for all TypeScript: `@eslint/js` recommended plus typescript-eslint's
 *     recommended (no type-aware rules, so linting stays fast and needs no project service).
 *  2. The determinism fence (STYLE.md habit 1, DESIGN.md "kernel contract"): below `src/kernel`,
 *     in `world`, `faults`, `features`, `check` and `metrics`, code gets time, timers,
 *     randomness and I/O only through the actor's `Context`. Wall clocks, ambient randomness, host
 *     timers, GC-observing objects and file/network/process modules are reported as errors.
 *     `src/kernel` (which implements the Context) and `src/exec`, `src/cli`, `src/scenario`,
 *     `src/report` (which run outside the simulation) are not fenced.
 *
 *  3. The layer fence (DESIGN.md "Layout"): per folder, imports of folders it may never reach
 *     (actors importing `src/world/`, scenario code importing `src/exec/`, …) are reported with the
 *     rule's name and reason, in the editor, as they are typed.
 *
 * test/lint/lint.test.ts proves each fenced API is reported inside the fence and not in the kernel;
 * test/lint/layers.test.ts proves each layer rule reports a forbidden import.
 */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const USE_CONTEXT = "use the actor's Context instead (ctx.now(), ctx.setTimer(), ctx.rng(purpose), ctx.disk, ctx.send()) — simulated code must stay deterministic";

/** Where the fence applies. */
const FENCED = ['src/{world,faults,features,check,metrics}/**/*.{ts,mts,cts,js,mjs}'];

/** Globals that read the host clock, schedule on the host event loop, or observe the GC. */
const FORBIDDEN_GLOBALS = [
  ['Date', 'Date reads the wall clock'],
  ['performance', 'performance reads the wall clock'],
  ['setTimeout', 'setTimeout runs on the host event loop, not simulated time'],
  ['setInterval', 'setInterval runs on the host event loop, not simulated time'],
  ['setImmediate', 'setImmediate runs on the host event loop, not simulated time'],
  ['clearTimeout', 'host timers are not part of the simulation'],
  ['clearInterval', 'host timers are not part of the simulation'],
  ['clearImmediate', 'host timers are not part of the simulation'],
  ['queueMicrotask', 'queueMicrotask runs on the host event loop, not simulated time'],
  ['WeakRef', 'WeakRef makes behaviour depend on the garbage collector'],
  ['FinalizationRegistry', 'FinalizationRegistry makes behaviour depend on the garbage collector'],
];

/** `object.property` uses that are nondeterministic even though the object itself is fine. */
const FORBIDDEN_PROPERTIES = [
  ['Math', 'random', 'Math.random is unseeded'],
  ['process', 'hrtime', 'process.hrtime reads the wall clock'],
  ['crypto', 'randomUUID', 'crypto.randomUUID is unseeded'],
  ['crypto', 'randomBytes', 'crypto.randomBytes is unseeded'],
  ['crypto', 'getRandomValues', 'crypto.getRandomValues is unseeded'],
  // The same globals reached through the global object.
  ...FORBIDDEN_GLOBALS.flatMap(([name, why]) => [
    ['globalThis', name, why],
    ['global', name, why],
  ]),
];

/**
 * Modules that touch files, the network, other processes or threads, or ambient randomness.
 * `perf_hooks` and `timers` are here too because they re-export `performance` and the host timers.
 */
const FORBIDDEN_MODULES = [
  ['fs', 'the file system is not simulated storage; use ctx.disk'],
  ['fs/promises', 'the file system is not simulated storage; use ctx.disk'],
  ['net', 'real sockets bypass the simulated network; use ctx.send'],
  ['http', 'real sockets bypass the simulated network; use ctx.send'],
  ['https', 'real sockets bypass the simulated network; use ctx.send'],
  ['dgram', 'real sockets bypass the simulated network; use ctx.send'],
  ['child_process', 'other processes are outside the simulation'],
  ['worker_threads', 'threads are the executor’s business, not the actor’s'],
  ['crypto', 'node:crypto offers unseeded randomness; use ctx.rng(purpose)'],
  ['perf_hooks', 'perf_hooks reads the wall clock; use ctx.now()'],
  ['timers', 'host timers are not simulated time; use ctx.setTimer()'],
  ['timers/promises', 'host timers are not simulated time; use ctx.setTimer()'],
];

const moduleNames = FORBIDDEN_MODULES.flatMap(([name]) => [name, `node:${name}`]);
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const dynamicImportPattern = `^(node:)?(${FORBIDDEN_MODULES.map(([name]) => escapeRegExp(name)).join('|')})$`;

/**
 * The layer fence: for each folder, the folders its imports may never name, as path segments of the
 * specifier. It is the part of test/architecture/import-graph.test.ts (the authority, which also
 * finds cycles, type-position imports and entry-point-only rules) that a specifier alone decides,
 * whatever the importing file's depth; that test checks that no pattern here forbids an import its
 * rules allow, and that each message starts with the name of the rule governing the folder.
 * A segment name is listed only when every folder of that name is out of bounds for the importer
 * (`scenario/` is both `src/scenario/` and a feature's own `scenario/`; actors may reach neither).
 */
const FILES = '**/*.{ts,mts,cts,js,mjs}';
/** A `kernel/` path that is not the actor contract. */
const KERNEL_INTERNALS = '(^|/)kernel/(?!contract/)';
const LAYERS = [
  {
    files: [`src/kernel/contract/${FILES}`],
    rule: 'contract stands alone',
    regexes: ['^\\.\\./'],
    message: 'the contract imports only its own folder, because every actor imports the contract',
  },
  {
    files: [`src/kernel/${FILES}`],
    ignores: [`src/kernel/contract/${FILES}`],
    rule: 'kernel is the bottom layer',
    segments: ['world', 'deploy', 'faults', 'features', 'check', 'metrics', 'scenario', 'exec', 'report', 'cli', 'viz'],
    message: 'the kernel imports only the kernel',
  },
  {
    files: [`src/world/${FILES}`],
    rule: 'world knows no protocol',
    segments: ['faults', 'features', 'actors', 'check', 'metrics', 'scenario', 'exec', 'report', 'cli', 'viz'],
    message: 'the simulated environment imports only the kernel, the deployment and itself, so it can host any actor',
  },
  {
    files: [`src/deploy/${FILES}`],
    rule: 'deployment is shared by simulator and emulator',
    segments: ['world', 'faults', 'features', 'actors', 'check', 'metrics', 'scenario', 'exec', 'report', 'cli', 'viz'],
    regexes: [KERNEL_INTERNALS],
    message: 'a deployment names only what simulator and emulator share: src/kernel/contract/',
  },
  {
    files: [`src/faults/${FILES}`],
    rule: 'faults act on the world',
    segments: ['deploy', 'features', 'actors', 'check', 'metrics', 'scenario', 'exec', 'report', 'cli', 'viz'],
    message: 'faults import only the kernel and the world, so they apply to any protocol',
  },
  {
    files: [`src/features/*/actors/${FILES}`],
    rule: 'actors see only the contract',
    segments: ['world', 'deploy', 'faults', 'scenario', 'check', 'checks', 'metrics', 'exec', 'report', 'cli', 'viz'],
    regexes: [KERNEL_INTERNALS],
    message: "actor code imports only src/kernel/contract/, its own actors/ and shared/, and other features' actors/index.ts",
  },
  {
    files: [`src/features/*/shared/${FILES}`],
    rule: 'feature shared code is pure',
    segments: ['actors', 'world', 'deploy', 'faults', 'scenario', 'check', 'checks', 'metrics', 'exec', 'report', 'cli', 'viz'],
    regexes: [KERNEL_INTERNALS],
    message: "what a feature's actors and checkers agree on imports only src/kernel/contract/",
  },
  {
    files: [`src/features/*/checks/${FILES}`],
    rule: 'checkers read only the trace',
    segments: ['actors', 'world', 'deploy', 'faults', 'scenario', 'metrics', 'exec', 'report', 'cli', 'viz'],
    regexes: [KERNEL_INTERNALS],
    message: 'a checker imports only src/kernel/contract/, src/check/ and its own checks/ and shared/ — never the actors it judges',
  },
  {
    files: [`src/features/*/metrics/${FILES}`],
    rule: 'metrics read only the trace',
    segments: ['actors', 'world', 'deploy', 'faults', 'scenario', 'check', 'checks', 'exec', 'report', 'cli', 'viz'],
    regexes: [KERNEL_INTERNALS],
    message: 'a metric imports only src/kernel/contract/, src/metrics/ and its own metrics/ and shared/',
  },
  {
    files: ['src/features/*/index.ts', `src/features/*/scenario/${FILES}`],
    rule: 'a feature plugs in like a plug-in',
    segments: ['exec', 'report', 'cli', 'viz'],
    message: 'a feature builds on the scenario core and the layers below it, never on the runners above',
  },
  {
    files: [`src/check/${FILES}`],
    rule: 'checker machinery names no feature',
    segments: ['actors', 'world', 'deploy', 'faults', 'scenario', 'metrics', 'exec', 'report', 'cli', 'viz'],
    message: 'checker machinery imports only src/kernel/contract/ and src/check/',
  },
  {
    files: [`src/metrics/${FILES}`],
    rule: 'metric machinery names no feature',
    segments: ['actors', 'world', 'deploy', 'faults', 'scenario', 'check', 'checks', 'exec', 'report', 'cli', 'viz'],
    message: 'metric machinery imports only src/kernel/contract/ and src/metrics/',
  },
  {
    files: [`src/scenario/${FILES}`],
    rule: 'scenario never runs anything',
    segments: ['exec', 'report', 'cli', 'viz'],
    message: 'scenario code describes a world; src/exec/ runs it, src/report/ presents it, src/cli/ wires commands',
  },
  {
    files: [`src/exec/${FILES}`],
    rule: 'exec runs, report presents',
    segments: ['report', 'cli', 'viz'],
    message: 'executors write raw results; src/report/ and src/cli/ build on them, not the reverse',
  },
  {
    files: [`src/report/${FILES}`],
    rule: 'report reads results',
    // Not `faults`: report/ may import scenario types, src/scenario/faults/ included.
    segments: ['world', 'deploy', 'features', 'actors', 'exec', 'cli'],
    regexes: ['(^|/)viz/(?!wire/)'],
    message: "reports read written results; of viz/ they import only the wire format (viz/wire/), never the page's d3 code",
  },
  // viz/'s folders are ordered wire → model → draw → panels → ui; each imports only its own folder,
  // earlier ones, and nothing from src/.
  ...[
    ['wire', 'viz wire format is shared', 'the wire format imports nothing else: report/ runs it in Node, without d3'],
    ['model', 'viz model is pure', 'the page model imports only viz/wire/ and itself'],
    ['draw', 'viz drawing is below panels and UI', 'drawing imports only viz/wire/, viz/model/ and itself'],
    ['panels', 'viz panels compose drawing', 'panels import only viz/wire/, viz/model/, viz/draw/ and themselves'],
    ['ui', 'viz UI is the top of the page', 'the UI may import all of viz/'],
  ].map(([folder, rule, message], i, order) => ({
    files: folder === 'ui' ? [`viz/ui/${FILES}`, 'viz/*.ts'] : [`viz/${folder}/${FILES}`],
    rule,
    segments: ['src', ...order.slice(i + 1).map(([later]) => later)],
    message: `${message}, and nothing from src/ (the page is its own bundle)`,
  })),
];

/** One `no-restricted-imports` config per layer; the folders' file sets are disjoint. */
const layerConfigs = LAYERS.map(({ files, ignores, rule, segments = [], regexes = [], message }) => ({
  files,
  ...(ignores === undefined ? {} : { ignores }),
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [...(segments.length > 0 ? [`(^|/)(${segments.join('|')})/`] : []), ...regexes].map((regex) => ({
          regex,
          caseSensitive: true,
          message: `"${rule}": ${message} (test/architecture/import-graph.test.ts).`,
        })),
      },
    ],
  },
}));

export default defineConfig(
  globalIgnores(['node_modules/**', 'results/**', 'viz/dist/**', '**/*.tmp']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,mts,cts}'],
    rules: {
      // The kernel's `ActorFactory` returns `Actor<any>` on purpose: a factory must accept actors of
      // any message type, and `unknown` would make every concrete actor unassignable.
      '@typescript-eslint/no-explicit-any': 'off',
      // `_`-prefixed names mark parameters kept for an interface's shape (handlers that ignore ctx).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Scripts (this config, bin shims) run in Node.
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: FENCED,
    rules: {
      'no-restricted-globals': ['error', ...FORBIDDEN_GLOBALS.map(([name, why]) => ({ name, message: `${why}: ${USE_CONTEXT}.` }))],
      'no-restricted-properties': [
        'error',
        ...FORBIDDEN_PROPERTIES.map(([object, property, why]) => ({ object, property, message: `${why}: ${USE_CONTEXT}.` })),
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: FORBIDDEN_MODULES.flatMap(([name, why]) =>
            [name, `node:${name}`].map((spec) => ({ name: spec, message: `${why}: ${USE_CONTEXT}.`, allowTypeImports: true })),
          ),
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          // `await import('node:fs')` escapes no-restricted-imports.
          selector: `ImportExpression[source.type='Literal'][source.value=/${dynamicImportPattern}/]`,
          message: `dynamic import of a forbidden module (${moduleNames.join(', ')}): ${USE_CONTEXT}.`,
        },
        {
          // `require('fs')` through createRequire escapes no-restricted-imports too.
          selector: `CallExpression[callee.name='require'][arguments.0.type='Literal'][arguments.0.value=/${dynamicImportPattern}/]`,
          message: `require of a forbidden module (${moduleNames.join(', ')}): ${USE_CONTEXT}.`,
        },
      ],
    },
  },
  ...layerConfigs,
);
