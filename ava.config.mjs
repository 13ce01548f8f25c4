// ava's settings for `npm test`: TypeScript through esbuild's type stripping (test/_register-ts.mjs),
// each test file in a worker thread of ava's process (`workerThreads: true`), not a child process
// of its own: a test file then starts no Node process (bench/README.md "Session 16 — suite": 30
// small files, two alternating pairs at load 7-13, 151 -> 119 s and 155 -> 141 s of CPU). Each
// thread has its own `process.argv`, `exitCode`, `env` (a copy) and streams, so the tests that set
// them (viz-command, perfetto, the fuzz harness) keep them to themselves. What two files at once
// share: the pid (the staging files named by it, src/exec/staging.ts, lie in each test's own
// temporary directory), the working directory (no test changes it) and signals — a SIGINT reaches
// the process, never a thread, so a test of Ctrl-C sends it to a `diaspora` child it started
// (sweep-interrupt, sweep-cli, outputs, lab-command), never to itself. The TypeScript hooks are
// registered in each thread by test/_register-ts.mjs once ava's worker has loaded, not by
// `--import` from the process's start: see that file for why.
//
// Why a file and not package.json's "ava" key: the order the test files start in is a function
// (`sortTestFiles`). ava runs `concurrency` files at a time and starts them in that order, so a
// long file started late runs on alone at the end while the other core idles. The files below took
// the most time in a whole-suite run (session 15: CPU of the test process and of its child
// processes — the CLI runs, Chromium, tsc —, with the files that wait on real time or npm early;
// bench/README.md "Session 15 — suite"): started first, they overlap the many short files instead
// of trailing them. The rest keep ava's
// order by path. A listed file that no longer exists stops the run here, so the list cannot go
// stale unseen.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** The longest test files, longest first. */
const LONGEST = [
  'test/exec/parallel/scenarios.test.ts',
  'test/features/alerts/alerts.test.ts',
  'test/cli/broken-inputs.test.ts',
  'examples/token-ring/token-ring.test.ts',
  'test/conformance/log.test.ts',
  'test/exec/sweep-interrupt.test.ts',
  'test/exec/sweep-cli.test.ts',
  'test/cli/outputs.test.ts',
  'test/cli/bad-inputs.test.ts',
  'test/cli/damaged-runs.test.ts',
  'test/exec/emulate/kafka/drill.test.ts',
  'test/architecture/typecheck.test.ts',
  'test/cli/bundle.test.ts',
  'test/lab/session.test.ts',
  'test/viz/timeline-gauges-browser.test.ts',
  'test/exec/parallel/parallel.test.ts',
  'test/viz/explain-browser.test.ts',
  'test/viz/timeline-pipeline-browser.test.ts',
  'test/viz/live-chunk.test.ts',
  'test/cli/run.test.ts',
  'test/features/log/drills.test.ts',
  'test/cli/study-inputs.test.ts',
  'test/cli/shrink-properties.test.ts',
  'test/lab/lab-browser.test.ts',
  'test/features/log/property.test.ts',
];
const missing = LONGEST.filter((file) => !existsSync(new URL(file, import.meta.url)));
if (missing.length > 0) throw new Error(`ava.config.mjs lists test files that do not exist: ${missing.join(', ')}`);

/**
 * A file's place in LONGEST, or after all of them.
 * @param {string} path an absolute path
 */
const rank = (path) => {
  const at = LONGEST.findIndex((file) => path.endsWith(`/${file}`));
  return at === -1 ? LONGEST.length : at;
};

export default {
  extensions: { ts: 'module' },
  // One file more than cores (ava's default is one per core): a file waiting on npm, real time
  // (emulated nodes, the Kafka clients) or a sweep's fsyncs holds a slot while its core idles, and
  // the extra one fills it. On 2 cores, eleven such and CPU-bound files, one pair at load 11-31:
  // 2 at a time 733 s wall, 279 s CPU; 3 at a time 467 s, 258 s (bench/README.md "Session 18 — start").
  concurrency: availableParallelism() + 1,
  require: ['./test/_register-ts.mjs'],
  workerThreads: true,
  files: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
  timeout: '10m',
  /** @type {(a: string, b: string) => number} */
  sortTestFiles: (a, b) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }),
};
