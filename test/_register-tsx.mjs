// Installs tsx's ESM hooks (TypeScript from source) in a test file's thread: ava.config.mjs loads
// it through `require`, after ava's own worker code and before the test file. Given instead as
// `--import=tsx` (its CommonJS hooks too), the hooks are in place from the process's start and
// ava's own worker modules load through them, which need no transform: ≈ 0.3 s more CPU per test
// file (bench/README.md "Session 15 — suite"). Only ESM hooks: no test `require`s TypeScript.
import { register } from 'tsx/esm/api';

register();
