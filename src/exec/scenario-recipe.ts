/**
 * The world recipe of a scenario file's run: every thread calls `prepareRun(scenario, { seed })`.
 * A module of its own so that threads building other worlds do not load the scenario layer.
 */
import type { TraceWriter } from '../kernel/index.ts';
import { packageModule } from '../package-layout.ts';
import { loadPlugins, prepareRun, type Scenario } from '../scenario/index.ts';
import type { WorldRecipe } from './recipe.ts';
import type { PreparedRun } from './run.ts';

export interface ScenarioArgs {
  scenario: Scenario;
  seed: number;
  /** Stop the run here instead of at the scenario's end, µs: a prefix of the same run (for tests). */
  endUs?: number;
}

/** The builder behind {@link scenarioRecipe}. */
export async function scenarioWorld(args: ScenarioArgs, trace: TraceWriter): Promise<PreparedRun> {
  await loadPlugins(args.scenario.plugins ?? []);
  const prepared = prepareRun(args.scenario, { seed: args.seed, trace });
  return args.endUs === undefined ? prepared : { ...prepared, endUs: Math.min(prepared.endUs, args.endUs) };
}

export function scenarioRecipe(scenario: Scenario, seed: number, endUs?: number): WorldRecipe {
  return { module: packageModule('src/exec/scenario-recipe.ts').href, export: 'scenarioWorld', args: { scenario, seed, endUs } satisfies ScenarioArgs };
}
