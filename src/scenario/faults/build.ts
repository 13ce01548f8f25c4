/**
 * A run's realised faults: the scenario's schedule, then the nemesis's plan for this seed, injected
 * into the world as one list.
 *
 * Guarantee: the list depends only on the scenario's fault sections, its topology and the seed
 * (never on services or workload), and is exactly what the run injects; the run records it in
 * `summary.json` and `faults.json`, and `diaspora shrink` feeds an edited copy back as a schedule.
 * How it fails: `InputError` naming the entry, for a target that would affect nothing.
 */
import { type RealisedFault, checkNemesisUnits, injectFaults, planNemesis } from '../../faults/index.ts';
import type { World } from '../../world/index.ts';
import type { Scenario } from '../types.ts';

export function realiseFaults(scenario: Scenario, world: World): RealisedFault[] {
  const scheduled: RealisedFault[] = scenario.faults.map((spec, i) => ({ ...spec, id: `${spec.kind}-${i + 1}`, source: 'schedule' }) as RealisedFault);
  let planned: RealisedFault[] = [];
  if (scenario.nemesis !== undefined) {
    checkNemesisUnits(world, scenario.nemesis);
    planned = planNemesis(scenario.nemesis, { safetyEndUs: scenario.durationUs, rng: (purpose) => world.rng(purpose) });
  }
  const faults = [...scheduled, ...planned];
  injectFaults(world, faults, (fault, i) => (fault.source === 'schedule' ? `faults[${i}]` : `nemesis (${fault.id})`));
  return faults;
}
