/**
 * The deployment: which actor runs on which node (and so which site), built by which factory — the
 * part of a run that says *what* runs *where*, apart from the world it runs in.
 *
 * It is one value consumed alike by the simulator, which spawns each actor from its entry, and by
 * emulation, where each node's thread starts the entries of its node (exec/emulate/node-worker.ts)
 * and the router finds a message's nodes. Parallel runs cut it into partitions by node.
 *
 * Guarantee: entries keep the order they were added in, which is the actors' order in the kernel
 * (their index, which breaks ties between events at equal times) and in the trace header; an id is
 * placed at most once. How it fails: adding an id twice throws (and the simulator refuses the
 * kernel's own id, `world`); asking for an id that is not deployed throws naming it.
 */
import type { ActorFactory } from '../kernel/contract/index.ts';

/** One actor of a deployment: where it runs, and how a fresh instance of it is built (at start and at every restart). */
export interface DeployedActor {
  readonly id: string;
  readonly node: string;
  readonly site: string;
  readonly factory: ActorFactory;
}

/** A deployment as its readers see it (a world's, which only `World.spawn` adds to). */
export type ReadonlyDeployment = Pick<Deployment, 'has' | 'get' | 'actors' | 'on'>;

export class Deployment {
  private readonly entries: DeployedActor[] = [];
  private readonly byId = new Map<string, DeployedActor>();
  private readonly byNode = new Map<string, DeployedActor[]>();

  /** Places an actor; returns its entry. */
  add(actor: DeployedActor): DeployedActor {
    if (this.byId.has(actor.id)) throw new Error(`actor id ${actor.id} is already taken`);
    const entry: DeployedActor = { id: actor.id, node: actor.node, site: actor.site, factory: actor.factory };
    this.entries.push(entry);
    this.byId.set(entry.id, entry);
    const onNode = this.byNode.get(entry.node);
    if (onNode === undefined) this.byNode.set(entry.node, [entry]);
    else onNode.push(entry);
    return entry;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): DeployedActor {
    const entry = this.byId.get(id);
    if (entry === undefined) throw new Error(`no actor named ${id}`);
    return entry;
  }

  /** Every actor, in the order placed. */
  actors(): readonly DeployedActor[] {
    return this.entries;
  }

  /** The actors on one node, in the order placed (none for a node without actors). */
  on(node: string): readonly DeployedActor[] {
    return this.byNode.get(node) ?? [];
  }
}
