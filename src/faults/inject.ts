/**
 * Fault injection: turns a run's realised fault list into world actions at their times, each
 * bracketed by `fault` trace records — `phase: start` and `phase: end` around a period, or one
 * `phase: instant` record — naming the fault's id, kind, targets (as written and as resolved to
 * nodes, actors or a link) and magnitude.
 *
 * Guarantee: every fault starts at `atUs` and ends at `endUs` (a crash without restart never
 * ends); the same list gives the same actions in the same order, so a realised list injected as an
 * explicit schedule reproduces the run that realised it. A `heal` ends every network fault active
 * at its instant (their `end` records cite it as `healedBy`); their own later ends are then no-ops.
 *
 * How it fails: before the run starts, with an `InputError` naming the fault, when a target does
 * not resolve or would affect nothing (see targets.ts).
 */
import type { World } from '../world/index.ts';
import { type Effect, FaultState, effectOf } from './effects.ts';
import { INSTANT_KINDS, NETWORK_KINDS, type RealisedFault } from './spec.ts';

/**
 * Schedules every fault of the list on the world.
 * @param where how an error names the fault at `index` (e.g. `faults[2]`); defaults to its id.
 */
export function injectFaults(world: World, faults: readonly RealisedFault[], where: (fault: RealisedFault, index: number) => string = (f) => `fault ${f.id}`): void {
  const injector = new Injector(world);
  faults.forEach((fault, index) => injector.schedule(fault, effectOf(fault, fault.id, where(fault, index), injector.state)));
}

class Injector {
  readonly state: FaultState;
  /** Faults that have started and not ended, in start order. */
  private readonly active = new Map<string, { fault: RealisedFault; effect: Effect }>();

  constructor(private readonly world: World) {
    this.state = new FaultState(world);
  }

  schedule(fault: RealisedFault, effect: Effect): void {
    const { id } = fault;
    if (INSTANT_KINDS.has(fault.kind)) {
      this.world.at(fault.atUs, `fault ${id}`, () => {
        this.record(fault, effect, 'instant');
        effect.start();
        if (fault.kind === 'heal') this.healNetwork(id);
      });
      return;
    }
    this.world.at(fault.atUs, `fault ${id} start`, () => {
      this.record(fault, effect, 'start', fault.endUs === undefined ? { permanent: true } : { endUs: fault.endUs });
      this.active.set(id, { fault, effect });
      effect.start();
    });
    if (fault.endUs !== undefined) this.world.at(fault.endUs, `fault ${id} end`, () => this.end(id));
  }

  private end(id: string, healedBy?: string): void {
    const entry = this.active.get(id);
    if (entry === undefined) return;
    this.active.delete(id);
    this.record(entry.fault, entry.effect, 'end', healedBy === undefined ? {} : { healedBy });
    entry.effect.end();
  }

  private healNetwork(healId: string): void {
    for (const [id, { fault }] of [...this.active]) if (NETWORK_KINDS.has(fault.kind)) this.end(id, healId);
  }

  private record(fault: RealisedFault, effect: Effect, phase: 'start' | 'end' | 'instant', extra: Record<string, unknown> = {}): void {
    this.world.record('fault', { fault: fault.id, kind: fault.kind, phase, ...effect.fields, ...extra });
  }
}
