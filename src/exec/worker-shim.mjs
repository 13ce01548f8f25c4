// The entry file of every worker thread we start. On Node 20, `--import tsx` in a worker's
// execArgv does not install the TypeScript loader, so this plain-JS shim installs it and then
// imports the TypeScript module named by `workerData.entry` (an absolute file URL). Only from
// source: compiled (dist/), a worker starts from its entry module directly (see worker-entry.ts).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
