/**
 * Declarative fault schedules: exact faults at exact times ("at 20 s the store's node loses power
 * for 5 s"), turned into world actions and recorded as `fault` records with phase `start`/`end`.
 *
 * Guarantee: every scheduled fault starts at its `at` and ends at `at + for`; a fault without `for`
 * ends when the safety phase ends (`healAtUs`), so the final phase always runs fault-free — the
 * liveness half of a run, as Jepsen and TigerBeetle's VOPR split it. A fault that would affect
 * nothing (an unknown target) is rejected when scheduled, never silently ignored.
 */
import type { Micros } from '../kernel/index.ts';
import type { World } from '../world/index.ts';

interface FaultTiming {
  /** A name unique in the run, cited by `fault` records. */
  id: string;
  atUs: Micros;
  /** How long it lasts; omitted: until the safety phase ends. */
  forUs?: Micros;
}

/** The node loses power (actors crash, unsynced writes are lost) and restarts when the fault ends. */
export interface NodeCrashFault extends FaultTiming {
  kind: 'node-crash';
  node: string;
}

/** Messages from `from` to `to` (and back unless `oneWay`) are dropped while the fault lasts. */
export interface PartitionFault extends FaultTiming {
  kind: 'partition';
  from: readonly string[];
  to: readonly string[];
  oneWay: boolean;
}

export type Fault = NodeCrashFault | PartitionFault;

export function scheduleFaults(world: World, faults: readonly Fault[], healAtUs: Micros): void {
  for (const fault of faults) {
    const endUs = fault.forUs === undefined ? healAtUs : fault.atUs + fault.forUs;
    if (endUs < fault.atUs) throw new Error(`fault ${fault.id} ends before it starts`);
    const { start, end, fields } = actions(world, fault);
    const record = (phase: 'start' | 'end') => world.sim.recordWorld('fault', { fault: fault.id, kind: fault.kind, phase, ...fields });
    world.at(fault.atUs, `fault ${fault.id} start`, () => {
      record('start');
      start();
    });
    world.at(endUs, `fault ${fault.id} end`, () => {
      record('end');
      end();
    });
  }
}

interface FaultActions {
  start: () => void;
  end: () => void;
  /** What the `fault` records say about the targets. */
  fields: Record<string, unknown>;
}

function actions(world: World, fault: Fault): FaultActions {
  switch (fault.kind) {
    case 'node-crash':
      if (!world.nodeNames().includes(fault.node)) throw new Error(`fault ${fault.id}: no node named ${fault.node}`);
      return {
        fields: { targets: [fault.node] },
        start: () => world.crashNode(fault.node, `fault ${fault.id}`),
        end: () => world.restartNode(fault.node, `fault ${fault.id} healed`),
      };
    case 'partition': {
      const rule = { id: fault.id, from: fault.from, to: fault.to, oneWay: fault.oneWay };
      // Expanding now rejects unknown sites or nodes before the run starts.
      world.expandNodes([...fault.from, ...fault.to]);
      return {
        fields: { targets: [...fault.from, ...fault.to], from: fault.from, to: fault.to, direction: fault.oneWay ? 'one-way' : 'both' },
        start: () => world.partition(rule),
        end: () => world.heal(fault.id),
      };
    }
  }
}
