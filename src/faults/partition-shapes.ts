/**
 * Partition shapes, after Jepsen's nemeses: how a group of nodes is cut into two sides.
 *
 *  - `halves`: the first ⌊n/2⌋ nodes against the rest.
 *  - `majority`: a minority of ⌊(n−1)/2⌋ nodes against a strict majority (the rest).
 *  - `isolate`: the first node alone against the rest.
 *  - `bridge`: ⌊(n−1)/2⌋ nodes against the last ⌈(n−1)/2⌉, with the node between them in neither
 *    side, so it still talks to both (a bridge that a majority-based protocol may trust).
 *
 * Guarantee: pure, order-preserving, and both sides non-empty; a schedule splits the nodes in the
 * order written, the nemesis shuffles them first with its own stream. How it fails: a group too
 * small for the shape (fewer than 2 nodes, 3 for a bridge) throws, since the partition would
 * affect nothing; the scenario layer reports it as input error first.
 */
import type { Rng } from '../kernel/index.ts';
import type { PartitionShape } from './spec.ts';

export interface Sides {
  readonly from: readonly string[];
  readonly to: readonly string[];
}

/** The smallest group each shape can split into two non-empty sides. */
export const MIN_GROUP: Readonly<Record<PartitionShape, number>> = { halves: 2, majority: 2, isolate: 2, bridge: 3 };

export function splitGroup(nodes: readonly string[], shape: PartitionShape): Sides {
  const n = nodes.length;
  if (n < MIN_GROUP[shape]) throw new Error(`a ${shape} partition needs at least ${MIN_GROUP[shape]} nodes, got ${n}`);
  switch (shape) {
    case 'halves':
      return { from: nodes.slice(0, Math.floor(n / 2)), to: nodes.slice(Math.floor(n / 2)) };
    case 'majority': {
      // With 2 nodes there is no strict majority; the minority is then the one node.
      const minority = Math.max(1, Math.floor((n - 1) / 2));
      return { from: nodes.slice(0, minority), to: nodes.slice(minority) };
    }
    case 'isolate':
      return { from: nodes.slice(0, 1), to: nodes.slice(1) };
    case 'bridge': {
      const left = Math.floor((n - 1) / 2);
      return { from: nodes.slice(0, left), to: nodes.slice(left + 1) };
    }
  }
}

/** A uniformly random order of `items` (Fisher–Yates), drawn from `rng`. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
