#!/usr/bin/env node
// The `diaspora` command. It runs the compiled JavaScript in dist/ (`npm run build`, which
// `npm install` and `npm ci` run) when dist/ is current, and the TypeScript sources through tsx
// otherwise — no build yet, or a source edited since (see dist-current.mjs).
import { distIsCurrent } from './dist-current.mjs';

// A test thread names its own TypeScript hooks for the worker threads it starts (src/exec/source-hooks.mjs);
// a `diaspora` it starts inherits the variable, and its workers must load TypeScript as any other start's do.
delete process.env.DIASPORA_TS_HOOKS;

if (distIsCurrent()) {
  await import('../dist/src/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
