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
 * test/lint/lint.test.ts proves each fenced API is reported inside the fence and not in the kernel.
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
);
