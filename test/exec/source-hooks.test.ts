/**
 * A worker thread started from source (src/exec/worker-shim.mjs, through source-hooks.mjs) loads
 * its TypeScript entry through the module hooks its creator names in DIASPORA_TS_HOOKS — the test
 * threads name theirs, so the threads their tests start do not register tsx — and through tsx when
 * nothing is named, as under `node --import=tsx` and the benches.
 */
import test from 'ava';
import { Worker } from 'node:worker_threads';

const SHIM = new URL('../../src/exec/worker-shim.mjs', import.meta.url);
const ENTRY = new URL('./_echo-worker.ts', import.meta.url).href;

/** What the worker's entry posts, once the worker has exited. */
function echo(env: NodeJS.ProcessEnv): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SHIM, { workerData: { entry: ENTRY }, env });
    let message: unknown;
    worker.on('message', (m) => (message = m));
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve(message) : reject(new Error(`the worker exited with ${code}`))));
  });
}

test('a worker loads its entry through the hooks its creator names', async (t) => {
  const hooks = new URL('./_named-hooks.mjs', import.meta.url).href;
  t.is(await echo({ ...process.env, DIASPORA_TS_HOOKS: hooks }), 'the named hooks');
});

test('a worker whose creator names no hooks loads its entry through tsx', async (t) => {
  const env = { ...process.env };
  delete env.DIASPORA_TS_HOOKS;
  t.is(await echo(env), 'a TypeScript loader');
});

test("a test's thread names its own hooks, so the workers its tests start use them", (t) => {
  t.is(process.env.DIASPORA_TS_HOOKS, new URL('../_ts-hooks.mjs', import.meta.url).href);
});
