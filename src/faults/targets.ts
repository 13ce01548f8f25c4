/**
 * Fault targets, from names to what a fault acts on: a site stands for all its nodes, a node for
 * itself, an actor for its node (node faults) or itself (process faults); a site or node, in a
 * process fault, for every actor placed on it.
 *
 * Guarantee: the result lists each node or actor once, in the order first named, and is never
 * empty. How it fails: a name that is not a site, node or actor, a link between unlinked sites,
 * or a target with nothing on it throws an `InputError` naming the fault — a fault that would
 * affect nothing is rejected, never run silently (the complaint users make of Pumba).
 */
import { InputError } from '../kernel/index.ts';
import type { World } from '../world/index.ts';

export class Targets {
  constructor(private readonly world: World) {}

  /** The nodes that `names` cover. */
  nodes(names: readonly string[], where: string): string[] {
    const nodes = new Set<string>();
    for (const name of names) for (const node of this.nodesOf(name, where)) nodes.add(node);
    return this.nonEmpty([...nodes], names, where, 'nodes');
  }

  /** The actors (processes) that `names` cover. */
  actors(names: readonly string[], where: string): string[] {
    const actors = new Set<string>();
    for (const name of names) {
      if (this.world.has(name)) actors.add(name);
      else for (const node of this.nodesOf(name, where)) for (const actor of this.world.actorsOn(node)) actors.add(actor);
    }
    return this.nonEmpty([...actors], names, where, 'actors');
  }

  /** The two sites of a link, checked to be linked. */
  link(between: readonly [string, string], where: string): [string, string] {
    const [a, b] = between;
    const sites = new Set(this.world.siteList().map((s) => s.id));
    for (const site of between) if (!sites.has(site)) throw new InputError(`${where}: no site named "${site}"`);
    if (!this.world.network.hasLink(a, b)) throw new InputError(`${where}: sites ${a} and ${b} are not linked, so a fault on their link would affect nothing`);
    return [a, b];
  }

  private nodesOf(name: string, where: string): readonly string[] {
    const site = this.world.siteList().find((s) => s.id === name);
    if (site !== undefined) return site.nodes;
    if (this.world.nodeNames().includes(name)) return [name];
    if (this.world.has(name)) return [this.world.nodeOf(name)];
    // A service runs as several processes (a log's brokers and controller): point at them.
    const processes = this.world.deployment.actors().map((a) => a.id).filter((id) => id.startsWith(`${name}-`));
    const hint = processes.length === 0 ? '' : `; "${name}" runs as ${processes.join(', ')} — name those, or their nodes or site`;
    throw new InputError(`${where}: no site, node or actor named "${name}"${hint}`);
  }

  private nonEmpty(found: string[], names: readonly string[], where: string, what: string): string[] {
    if (found.length === 0) throw new InputError(`${where}: ${names.length === 0 ? 'no target given' : `no ${what} on ${names.join(', ')}`}, so the fault would affect nothing`);
    return found;
  }
}
