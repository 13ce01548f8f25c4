/** A one-node edge site for the edge buffer's unit tests, and the context of the forwarder on it. */
import type { Context } from '../../../src/kernel/contract/index.ts';
import { World } from '../../../src/world/index.ts';

/** The world, and the forwarder's context (the current incarnation, after a restart the new one). */
export function edge(): { world: World; ctx: () => Context } {
  const world = new World({ seed: 1 });
  world.addSite('edge', { nodes: 1 });
  let context: Context | undefined;
  world.spawn('forwarder', 'edge-1', () => ({ start: (c: Context) => void (context = c), recover: (c: Context) => void (context = c) }));
  world.advance({ until: 0 });
  return { world, ctx: () => context! };
}
