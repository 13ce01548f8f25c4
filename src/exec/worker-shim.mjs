// The entry file of every worker thread we start from source: it installs the TypeScript loader
// (source-hooks.mjs) and then imports the TypeScript module named by `workerData.entry` (an
// absolute file URL). Compiled (dist/), a worker starts from its entry module directly (see
// worker-entry.ts).
import './source-hooks.mjs';
import { workerData } from 'node:worker_threads';

await import(workerData.entry);
