/**
 * What emulation makes of a scenario's faults. The world's own events run on the emulated clock
 * (emulation.ts), so every fault acting on power or the network is real: a node that loses power
 * has its thread terminated and restarted, and partitions and link faults act in the router, which
 * uses the world's network model. Faults acting on a node's disk, CPU or clock, or on one process,
 * change only the orchestrator's copy of the world, which runs no actor: they are listed here, so
 * that a run never skips a fault silently.
 */
import type { Scenario } from '../../scenario/index.ts';

const REAL = new Set(['node-crash', 'power-loss', 'torn-write', 'partition', 'heal', 'link-flap', 'latency-spike', 'jitter', 'bandwidth-drop', 'packet-loss', 'duplicate', 'reorder']);
const POWER = new Set(['node-crash', 'power-loss', 'torn-write']);

export interface EmulationFaultNotes {
  /** Faults of the scenario that act only on the simulated world, for people. */
  skipped: string[];
  /** Nodes a fault will power off: boot their next life at the start, for a fast restart. */
  standby: string[];
}

export function emulationFaultNotes(scenario: Scenario): EmulationFaultNotes {
  const skipped: string[] = [];
  const standby = new Set<string>();
  const nodesOf = (name: string) => scenario.sites.find((s) => s.name === name)?.nodes ?? [name];
  scenario.faults.forEach((spec, index) => {
    if (!REAL.has(spec.kind)) skipped.push(`faults[${index}] (${spec.kind})`);
    if (!POWER.has(spec.kind)) return;
    const targets = 'target' in spec ? [spec.target] : 'targets' in spec ? spec.targets : [];
    for (const target of targets) for (const node of nodesOf(target)) standby.add(node);
  });
  if (scenario.nemesis !== undefined) skipped.push('nemesis faults other than power and network');
  return { skipped, standby: [...standby] };
}
