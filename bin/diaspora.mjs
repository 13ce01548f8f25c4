#!/usr/bin/env node
// The `diaspora` command. It runs the compiled JavaScript in dist/ (`npm run build`, which
// `npm install` and `npm ci` run) when dist/ is current, and the TypeScript sources through tsx
// otherwise — no build yet, or a source edited since (see dist-current.mjs).
import { distIsCurrent } from './dist-current.mjs';

if (distIsCurrent()) {
  await import('../dist/src/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
