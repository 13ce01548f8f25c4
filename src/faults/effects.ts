/**
 * What each fault kind does to the world when it starts and when it ends.
 *
 * Guarantee: `effectOf` resolves the fault's targets at once (so a fault that would affect nothing
 * is rejected before the run starts) and returns actions that only use simulated time and the
 * world's own seeded streams. Overlapping faults compose through `FaultState` (see
 * conditions.ts): a node restarts only when the last fault holding it down ends, a process held
 * down by a process crash stays down when its node is powered back on, link degradations stack.
 *
 * How it fails: `InputError` for a target that does not resolve (see targets.ts); nothing else —
 * an action on something already in the requested state is a no-op, never an error.
 */
import type { Micros } from '../kernel/index.ts';
import type { LinkParams, World } from '../world/index.ts';
import { Holds, Layers, product, sum } from './conditions.ts';
import type { FaultSpec, PartitionSpec } from './spec.ts';
import { Targets } from './targets.ts';

/** The composed state of every fault in a run. */
export class FaultState {
  readonly nodesDown = new Holds();
  readonly actorsDown = new Holds();
  readonly disksFull = new Holds();
  readonly slowDisks = new Layers<number>();
  readonly slowNodes = new Layers<number>();
  readonly skews = new Layers<number>();
  readonly links = new Layers<(params: LinkParams) => LinkParams>();
  /** Each link's parameters before any fault touched it. */
  readonly linkBase = new Map<string, LinkParams>();

  constructor(
    readonly world: World,
    readonly targets: Targets = new Targets(world),
  ) {}
}

export interface Effect {
  /** What the fault's trace records say about its targets and magnitude. */
  readonly fields: Record<string, unknown>;
  start(): void;
  /** Undone at the end (never called for an instant or a crash without restart). */
  end(): void;
}

const NOTHING = (): void => {};

/**
 * @param id the fault's id, which holds and layers are keyed by
 * @param where how error messages name the fault (`faults[2]`)
 */
export function effectOf(spec: FaultSpec, id: string, where: string, state: FaultState): Effect {
  const { world, targets } = state;
  switch (spec.kind) {
    case 'process-crash':
      return processCrash(targets.actors(spec.targets, where), id, state);
    case 'node-crash':
      return nodesDown([spec.target], targets.nodes([spec.target], where), id, state, false);
    case 'power-loss':
      return nodesDown(spec.targets, targets.nodes(spec.targets, where), id, state, false);
    case 'torn-write':
      return nodesDown(spec.targets, targets.nodes(spec.targets, where), id, state, true);
    case 'lose-unsynced': {
      const nodes = targets.nodes(spec.targets, where);
      return { fields: { targets: spec.targets, nodes }, start: () => nodes.forEach((n) => world.diskOf(n).loseUnsynced()), end: NOTHING };
    }
    case 'disk-full':
      return diskFull(spec.targets, targets.nodes(spec.targets, where), id, state);
    case 'slow-disk':
      return nodeLayer(spec.targets, targets.nodes(spec.targets, where), id, state.slowDisks, spec.factor, (n, layers) => {
        world.diskOf(n).slowdown = product(layers);
      }, { factor: spec.factor });
    case 'slow-node':
      return nodeLayer(spec.targets, targets.nodes(spec.targets, where), id, state.slowNodes, spec.factor, (n, layers) => {
        world.setCpuSlowdown(n, product(layers));
      }, { factor: spec.factor });
    case 'clock-skew':
      return nodeLayer(spec.targets, targets.nodes(spec.targets, where), id, state.skews, spec.offsetUs, (n, layers) => {
        world.setClockOffset(n, sum(layers));
      }, { offsetUs: spec.offsetUs });
    case 'partition':
      return partition(spec, id, where, state);
    case 'heal':
      // The injector ends the active network faults itself; the record is all there is here.
      return { fields: { targets: [] }, start: NOTHING, end: NOTHING };
    case 'link-flap':
      return linkFlap(targets.link(spec.between, where), spec.downUs, spec.upUs, id, state);
    case 'latency-spike':
      return linkLayer(spec.between, id, where, state, { extraUs: spec.extraUs }, (p) => ({ ...p, latencyUs: p.latencyUs + spec.extraUs }));
    case 'jitter':
      return linkLayer(spec.between, id, where, state, { jitterUs: spec.jitterUs }, (p) => ({ ...p, jitterUs: p.jitterUs + spec.jitterUs }));
    case 'bandwidth-drop':
      return linkLayer(spec.between, id, where, state, { bandwidthBytesPerSec: spec.bandwidthBytesPerSec }, (p) => ({
        ...p,
        bandwidthBytesPerSec: Math.min(p.bandwidthBytesPerSec, spec.bandwidthBytesPerSec),
      }));
    case 'packet-loss':
      return linkLayer(spec.between, id, where, state, { loss: spec.loss }, (p) => ({ ...p, loss: either(p.loss, spec.loss) }));
    case 'duplicate':
      return linkLayer(spec.between, id, where, state, { probability: spec.probability }, (p) => ({
        ...p,
        duplicate: either(p.duplicate ?? 0, spec.probability),
      }));
    case 'reorder':
      return linkLayer(spec.between, id, where, state, { probability: spec.probability, delayUs: spec.delayUs }, (p) => ({
        ...p,
        reorder: either(p.reorder ?? 0, spec.probability),
        reorderDelayUs: Math.max(p.reorderDelayUs ?? 0, spec.delayUs),
      }));
  }
}

/** Probability that at least one of two independent events happens. */
function either(p: number, q: number): number {
  return 1 - (1 - p) * (1 - q);
}

function processCrash(actors: string[], id: string, state: FaultState): Effect {
  const { world, actorsDown } = state;
  return {
    fields: { targets: actors, actors },
    start: () => {
      for (const actor of actors) if (actorsDown.hold(actor, id)) world.crashActor(actor, `fault ${id}`);
    },
    end: () => {
      for (const actor of actors) if (actorsDown.release(actor, id)) world.restartActor(actor, `fault ${id} healed`);
    },
  };
}

/** Node crash, power loss (of a node or a whole site at one instant) and torn-write power loss. */
function nodesDown(named: readonly string[], nodes: string[], id: string, state: FaultState, tear: boolean): Effect {
  const { world, nodesDown: holds } = state;
  return {
    fields: { targets: named, nodes },
    start: () => {
      for (const node of nodes) if (holds.hold(node, id)) world.crashNode(node, `fault ${id}`, { tear });
    },
    end: () => {
      for (const node of nodes) {
        if (holds.release(node, id)) world.restartNode(node, `fault ${id} healed`, { keepDown: state.actorsDown.heldKeys() });
      }
    },
  };
}

function diskFull(named: readonly string[], nodes: string[], id: string, state: FaultState): Effect {
  const { world, disksFull } = state;
  return {
    fields: { targets: named, nodes },
    start: () => {
      for (const node of nodes) if (disksFull.hold(node, id)) world.diskOf(node).full = true;
    },
    end: () => {
      for (const node of nodes) if (disksFull.release(node, id)) world.diskOf(node).full = false;
    },
  };
}

/** A per-node value (slowdown, clock offset) recomputed from the layers of the faults active on it. */
function nodeLayer(
  named: readonly string[],
  nodes: string[],
  id: string,
  layers: Layers<number>,
  value: number,
  apply: (node: string, active: number[]) => void,
  magnitude: Record<string, unknown>,
): Effect {
  return {
    fields: { targets: named, nodes, ...magnitude },
    start: () => nodes.forEach((node) => apply(node, layers.add(node, id, value))),
    end: () => nodes.forEach((node) => apply(node, layers.remove(node, id))),
  };
}

function partition(spec: PartitionSpec, id: string, where: string, state: FaultState): Effect {
  const from = state.targets.nodes(spec.fromNodes, `${where}.from`);
  const to = state.targets.nodes(spec.toNodes, `${where}.to`);
  const oneWay = spec.direction === 'one-way';
  return {
    fields: { targets: [...from, ...to], from, to, direction: spec.direction, ...(spec.shape === undefined ? {} : { shape: spec.shape }) },
    start: () => state.world.partition({ id, from, to, oneWay }),
    end: () => state.world.heal(id),
  };
}

/** The link is cut for `downUs`, restored for `upUs`, and so on until the fault ends. */
function linkFlap([a, b]: [string, string], downUs: Micros, upUs: Micros, id: string, state: FaultState): Effect {
  const world = state.world;
  let active = false;
  let down = false;
  const toggle = (): void => {
    if (!active) return;
    down = !down;
    if (down) world.partition({ id, from: [a], to: [b] });
    else world.heal(id);
    world.at(world.now() + (down ? downUs : upUs), `fault ${id} flap`, toggle);
  };
  return {
    fields: { targets: [a, b], between: [a, b], downUs, upUs },
    start: () => {
      active = true;
      toggle();
    },
    end: () => {
      active = false;
      if (down) world.heal(id);
      down = false;
    },
  };
}

/** A degradation of a link's parameters, stacked over its base parameters with the others active. */
function linkLayer(
  between: readonly [string, string],
  id: string,
  where: string,
  state: FaultState,
  magnitude: Record<string, unknown>,
  adjust: (params: LinkParams) => LinkParams,
): Effect {
  const [a, b] = state.targets.link(between, where);
  const key = a < b ? `${a}|${b}` : `${b}|${a}`;
  const apply = (layers: ((params: LinkParams) => LinkParams)[]): void => {
    let base = state.linkBase.get(key);
    if (base === undefined) {
      base = state.world.network.linkParams(a, b);
      state.linkBase.set(key, base);
    }
    state.world.network.setLink(a, b, layers.reduce((params, layer) => layer(params), base));
  };
  return {
    fields: { targets: [a, b], between: [a, b], ...magnitude },
    start: () => apply(state.links.add(key, id, adjust)),
    end: () => apply(state.links.remove(key, id)),
  };
}
