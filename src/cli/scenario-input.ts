/**
 * The scenario a running command (`run`, `emulate`) was given, read once and validated: the file may
 * be a pipe (`diaspora run <(sed … x.yaml)`), which has no second reading, so its text is kept for
 * the run directory's `scenario.yaml` and for placing later errors in it.
 *
 * How it fails: a seed given twice, a --set overwriting an earlier one, an unreadable or invalid file, or a run beyond `--max-events`
 * is reported here (one line placed in the file, exit code 2), and the caller gets the exit code.
 */
import type { Scenario } from '../scenario/types.ts';
// From the scenario layer's modules, not its index: the index also exports building a world, which
// loads every protocol.
import { loadScenarioAsync, readScenarioText } from '../scenario/load.ts';
import { checkSeedGivenOnce, checkSetsOnce } from '../scenario/overrides.ts';
import { checkWorkBudget } from '../scenario/work-estimate.ts';
import { inScenario, reportError } from './exit.ts';

/** What a running command's flags say about its scenario. */
export interface ScenarioArgs {
  readonly scenario: string;
  readonly seed?: number;
  readonly set: readonly string[];
  readonly maxEvents: number;
}

/** The valid scenario and the text it was read from, or the exit code of the error reported. */
export async function readValidScenario(args: ScenarioArgs): Promise<{ readonly scenario: Scenario; readonly source: string } | number> {
  let text: string | undefined;
  try {
    checkSeedGivenOnce(args.seed, args.set);
    checkSetsOnce(args.set);
    text = readScenarioText(args.scenario);
    const scenario = await loadScenarioAsync(text, args.scenario, args.set);
    checkWorkBudget(scenario, args.maxEvents);
    return { scenario, source: text };
  } catch (error) {
    return reportError(inScenario(error, args.scenario, text, args.set));
  }
}
