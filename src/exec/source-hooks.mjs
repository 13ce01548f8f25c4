// Installs the TypeScript loader in a worker thread started from source (worker-shim.mjs,
// pool-worker.mjs): Node 20 gives a worker neither its creator's module hooks nor `--import tsx`
// from its execArgv, so each such thread registers one itself before importing TypeScript.
//
// Which loader: tsx, unless the creating thread names another module of hooks in
// DIASPORA_TS_HOOKS (a worker inherits its creator's environment). The test threads do
// (test/_register-ts.mjs): their esbuild hooks and cache load the same modules, and registering
// tsx costs ≈ 0.3 s of CPU a thread, in about 50 threads the suite starts (bench/README.md
// "Session 19 — suite").
//
// How it breaks: the test hooks load only this checkout's `.ts` files, so a worker started by a
// test thread cannot import a TypeScript plug-in from elsewhere (the test thread itself could not
// either); a `diaspora` process drops the variable at its start (bin/diaspora.mjs), inherited from a
// test thread or not.
import { register } from 'node:module';

const hooks = process.env.DIASPORA_TS_HOOKS;
if (hooks === undefined) (await import('tsx/esm/api')).register();
else register(hooks);
