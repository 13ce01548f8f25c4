/**
 * What `diaspora run` does once parsed (run-command.ts holds its options): read and validate the
 * scenario — a refused one is one error line, exit 2 — then hand it to run-scenario.ts, imported
 * only then, with the simulator and every protocol it loads.
 */
import type { Scenario } from '../scenario/types.ts';
// From the scenario layer's modules, not its index: the index also exports building a world, which
// loads every protocol.
import { loadScenarioAsync, readScenarioText } from '../scenario/load.ts';
import { checkSeedGivenOnce } from '../scenario/overrides.ts';
import { checkWorkBudget } from '../scenario/work-estimate.ts';
import { inScenario, reportError } from './exit.ts';
import type { RunArgs } from './run-scenario.ts';

/** Reads and validates the scenario, then runs it (run-scenario.ts); the exit code. */
export async function runHandler(args: RunArgs): Promise<number> {
  let scenario: Scenario;
  // Read once: the file may be a pipe (`diaspora run <(sed … x.yaml)`), which has no second reading.
  let text: string | undefined;
  try {
    checkSeedGivenOnce(args.seed, args.set);
    text = readScenarioText(args.scenario);
    scenario = await loadScenarioAsync(text, args.scenario, args.set);
    checkWorkBudget(scenario, args.maxEvents);
  } catch (error) {
    return reportError(inScenario(error, args.scenario, text));
  }
  return (await import('./run-scenario.ts')).runScenario(args, scenario, text);
}
