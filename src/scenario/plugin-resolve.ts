/**
 * A module resolution hook, registered by plugin-imports.ts only when the package runs compiled:
 * `diaspora-sim` resolves to the compiled package that runs (`data.index`), every other specifier
 * as it would have. It runs on Node's loader thread, so it imports nothing of ours.
 */
import type { InitializeHook, ResolveHook } from 'node:module';

let index = '';

export const initialize: InitializeHook<{ index: string }> = (data) => {
  index = data.index;
};

export const resolve: ResolveHook = (specifier, context, next) => (specifier === 'diaspora-sim' ? { url: index, shortCircuit: true } : next(specifier, context));
