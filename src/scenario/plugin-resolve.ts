/**
 * A module resolution hook, registered by plugin-imports.ts: `diaspora-sim` resolves to the
 * package that runs (`data.index`, compiled or source), every other specifier as it would have.
 * It runs on Node's loader thread, so it imports nothing of ours.
 */
import type { InitializeHook, ResolveHook } from 'node:module';

let index = '';

export const initialize: InitializeHook<{ index: string }> = (data) => {
  index = data.index;
};

// Passed on down the chain rather than answered here, so that tsx (from source) resolves and
// loads the TypeScript index as it would any other module of ours.
export const resolve: ResolveHook = (specifier, context, next) => next(specifier === 'diaspora-sim' ? index : specifier, context);
