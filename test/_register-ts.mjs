// Loads the project's TypeScript in a test file's thread: it registers test/_ts-hooks.mjs
// (esbuild's type stripping with a cache; see there why not tsx) and turns on source maps, so a
// failing test's stack names the TypeScript line, as it did under tsx. ava.config.mjs names this
// file in `require`, so it runs after ava's own worker code and before the test file: hooks given
// from the process's start (`--import`) would also see ava's worker modules, which need no
// transform, and each would pay the round trip to the hooks thread (≈ 0.3 s of CPU per test file
// when it was tsx's, bench/README.md "Session 15 — suite").
//
// It also names the hooks in the thread's DIASPORA_TS_HOOKS, which the worker threads a test starts
// from source inherit: they register these hooks instead of tsx (src/exec/source-hooks.mjs).
import { register } from 'node:module';

const HOOKS = new URL('./_ts-hooks.mjs', import.meta.url).href;
process.setSourceMapsEnabled(true);
register(HOOKS);
process.env.DIASPORA_TS_HOOKS = HOOKS;
