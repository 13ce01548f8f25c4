// The entry of a worker started by source-hooks.test.ts: it says which loader ran it. Its type
// annotation makes it TypeScript that only a loader can run.
import { parentPort } from 'node:worker_threads';

const loadedBy: string = 'a TypeScript loader';
parentPort!.postMessage(loadedBy);
