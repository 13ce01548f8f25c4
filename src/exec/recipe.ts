/**
 * A world recipe: how any thread builds its own copy of a world. A world holds actor instances and
 * closures, so it cannot be sent to a worker thread; instead every thread imports the same module
 * and calls the same builder with the same plain-data arguments, and gets the same world.
 *
 * Guarantee: a builder is a pure function of its arguments (as `prepareRun` is of a scenario and a
 * seed), so the copies agree on actors, indices and scheduled world events. How it fails: a recipe
 * naming a module or export that does not exist is reported with both names.
 */
import type { TraceWriter } from '../kernel/index.ts';
import type { PreparedRun } from './run.ts';

export interface WorldRecipe {
  /**
   * Absolute `file:` URL of the module exporting the builder; the package's own are named by
   * `packageModule` (package-layout.ts), as their code may run bundled into another file.
   */
  module: string;
  /** Name of the exported {@link WorldBuilder}. */
  export: string;
  /** Plain, structured-cloneable arguments. */
  args: unknown;
}

/** Builds a prepared run whose records go to `trace`. */
export type WorldBuilder = (args: any, trace: TraceWriter) => PreparedRun | Promise<PreparedRun>;

export async function buildFromRecipe(recipe: WorldRecipe, trace: TraceWriter): Promise<PreparedRun> {
  const module = (await import(recipe.module)) as Record<string, unknown>;
  const builder = module[recipe.export];
  if (typeof builder !== 'function') throw new Error(`world recipe: ${recipe.module} exports no function ${recipe.export}`);
  return (builder as WorldBuilder)(recipe.args, trace);
}
