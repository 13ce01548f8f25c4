/**
 * The one V8 setting the `diaspora` process changes: TurboFan's cumulative inlining budget, halved
 * (`--max-inlined-bytecode-size-cumulative`, 920 bytes of bytecode by default, 460 here).
 *
 * Why: a run spends a third of its CPU time compiling, on V8's background threads, which
 * `--cpu-prof` does not see. An hour of aps-xray under stream-replay optimises ≈ 330 functions
 * ≈ 540 times (a deoptimised function is compiled again, with everything inlined into it): ≈ 3.3 s
 * of the worker threads' CPU against ≈ 5.4 s on the main thread (`/proc/self/task/*\/stat` at exit;
 * with `--no-concurrent-recompilation` the same work lands on the main thread instead). The
 * handlers inline deep call trees — one broker `send` took 0.3 s to compile — so a smaller budget
 * makes each compilation, and each recompilation after a deoptimisation, smaller, while the small
 * hot callees still inline. Measured in bench/README.md ("Session 16 — the compiler's share").
 *
 * Guarantee: only how V8 compiles changes, never what the program computes — same traces, same
 * hashes. Set in the command line's process only (main.ts, before any command loads), never by
 * the library: the programmatic API leaves its host's V8 as it is. Worker threads of a parallel run
 * share the process's flags. How it breaks: a Node whose V8 renames or drops the flag ignores it
 * silently (`v8.setFlagsFromString` does not complain); test/cli/v8-tuning.test.ts checks that
 * this Node's V8 knows it.
 */
import { setFlagsFromString } from 'node:v8';

export const V8_FLAGS = ['--max-inlined-bytecode-size-cumulative=460'] as const;

/** Applies `V8_FLAGS` to this process: call it before the work they are for is compiled. */
export function tuneV8(): void {
  for (const flag of V8_FLAGS) setFlagsFromString(flag);
}
