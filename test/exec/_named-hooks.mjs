// Module hooks named in DIASPORA_TS_HOOKS by source-hooks.test.ts: they answer the echo entry with
// a module of their own, so the worker's message shows these hooks loaded it.
export async function load(url, context, nextLoad) {
  if (!url.endsWith('/_echo-worker.ts')) return nextLoad(url, context);
  const source = "import { parentPort } from 'node:worker_threads'; parentPort.postMessage('the named hooks');";
  return { format: 'module', source, shortCircuit: true };
}
