/**
 * Worlds built by recipe for the parallel-run tests: every thread imports this module and calls the
 * same builder with the same arguments.
 *
 * The mesh: `sites` sites of `nodes` nodes, every pair of sites linked (latencies 2 ms, 3 ms, …,
 * with jitter and a little loss), one gossiping actor per node. Each actor wakes at random times,
 * sends a ping to a random peer anywhere, answers pings, appends what it hears to its disk and
 * fsyncs every few appends. World faults: a node crash, a process crash, a partition between two
 * sites, and one world action that crashes (and later restarts) nodes of two different sites at
 * once — the case where one world event writes records in several partitions.
 */
import type { PreparedRun } from '../../../src/exec/run.ts';
import { MS, SECOND, type Actor, type ActorRef, type Context, type Disconnect, type Message, type TraceWriter, type Wakeup } from '../../../src/kernel/index.ts';
import { World } from '../../../src/world/index.ts';
import { simulatorOf } from '../../../src/world/world.ts';

export interface MeshArgs {
  seed: number;
  sites: number;
  nodes: number;
  endUs: number;
  /** Make the actor on this node throw when it hears a ping at or after `atUs`. */
  explode?: { node: string; atUs: number };
  /** Latency of every WAN link, µs, instead of the default 2 ms, 3 ms, …. */
  latencyUs?: number;
  faults?: boolean;
  /** One world action wakes actors of two sites directly: records of two partitions in one step. */
  pokeTwo?: boolean;
  /**
   * Address peers by the refs `World.spawn` returned, and answer a ping through the ref it carries
   * (a ref that crosses threads arrives as a plain `{ id }`). Same records as by name.
   */
  refs?: boolean;
  /**
   * Gossips hear of their peers' deaths (`onDisconnect`: refused and closed connections, across
   * threads) and answer each with a ping to another peer, so the notices change what happens.
   */
  listen?: boolean;
  /**
   * Each gossip starts (and restarts) by sending one message of this many bytes to a random peer:
   * at the WAN's 100 MB/s, long enough on the wire for the faults' crashes to cut some (network.ts).
   */
  upload?: number;
}

interface Ping extends Message {
  type: 'ping' | 'pong';
  hop: number;
  /** The sender's ref, when the mesh uses refs. */
  replyTo?: ActorRef;
}

class Gossip implements Actor<Ping> {
  private heard = 0;

  constructor(
    protected readonly peers: readonly (string | ActorRef)[],
    private readonly explode: MeshArgs['explode'],
    protected readonly self: string | ActorRef,
    private readonly upload: number | undefined,
  ) {}

  start(ctx: Context): void {
    this.heard = ctx.disk.read('heard')?.length ?? 0;
    if (this.upload !== undefined) {
      const to = ctx.rng('upload').pick(this.peers);
      if (to !== this.self) ctx.send<Ping>(to, { type: 'ping', hop: 3 }, { bytes: this.upload });
    }
    ctx.setTimer(ctx.rng('wake').int(1, 20 * MS), 'wake');
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'synced') {
      ctx.record('state', { op: 'synced', heard: this.heard });
      return;
    }
    const to = ctx.rng('peer').pick(this.peers);
    const ping: Ping = typeof this.self === 'string' ? { type: 'ping', hop: 0 } : { type: 'ping', hop: 0, replyTo: this.self };
    if (to !== this.self) ctx.send<Ping>(to, ping, { bytes: ctx.rng('size').int(64, 64 * 1024) });
    ctx.setTimer(ctx.rng('wake').int(1, 20 * MS), 'wake');
  }

  onMessage(ctx: Context, message: Ping, from: string): void {
    if (this.explode !== undefined && ctx.node === this.explode.node && ctx.now() >= this.explode.atUs) throw new Error('gossip overflow (a planted bug)');
    this.heard++;
    ctx.disk.append('heard', { from, hop: message.hop }, 128);
    if (this.heard % 5 === 0) ctx.disk.fsync({ name: 'synced' });
    if (message.type === 'ping' && message.hop < 3 && ctx.rng('answer').chance(0.5)) ctx.send<Ping>(message.replyTo ?? from, { type: 'pong', hop: message.hop + 1 });
  }
}

/** A gossip that, told a peer died, pings another one at once. */
class ListeningGossip extends Gossip {
  onDisconnect(ctx: Context, disconnect: Disconnect): void {
    const to = ctx.rng('disconnect').pick(this.peers);
    if (to !== this.self) ctx.send<Ping>(to, { type: 'ping', hop: disconnect.cause === 'closed' ? 1 : 2 });
  }
}

export function meshWorld(args: MeshArgs, trace: TraceWriter): PreparedRun {
  const world = new World({ seed: args.seed, scenario: 'mesh', trace });
  const sites = Array.from({ length: args.sites }, (_, i) => `s${i + 1}`);
  for (const site of sites) world.addSite(site, { nodes: args.nodes, lan: { latencyUs: 200, jitterUs: 50 } });
  let k = 0;
  for (let i = 0; i < sites.length; i++) {
    for (let j = i + 1; j < sites.length; j++) {
      world.link(sites[i], sites[j], { latencyUs: args.latencyUs ?? (2 + (k++ % 5)) * MS, jitterUs: 500, loss: 0.01, bandwidthBytesPerSec: 100_000_000 });
    }
  }
  const nodes = world.nodeNames();
  const ids = nodes.map((node) => `g-${node}`);
  const peers: (string | ActorRef)[] = args.refs === true ? [] : ids;
  nodes.forEach((node, i) => {
    const kind = args.listen === true ? ListeningGossip : Gossip;
    const ref = world.spawn(ids[i], node, () => new kind(peers, args.explode, peers[i], args.upload));
    if (args.refs === true) peers.push(ref);
  });
  if (args.faults !== false) scheduleMeshFaults(world, sites);
  if (args.pokeTwo === true) {
    world.at(500 * MS, 'poke two', () => {
      for (const id of [`g-${sites[0]}-1`, `g-${sites[1]}-1`]) {
        const sim = simulatorOf(world);
        const handle = sim.handle(id);
        sim.wake(handle, handle.incarnation, { name: 'synced' });
      }
    });
  }
  return { scenario: 'mesh', world, endUs: args.endUs, checks: [], metrics: [] };
}

function scheduleMeshFaults(world: World, sites: readonly string[]): void {
  const last = sites[sites.length - 1];
  const fault = (atUs: number, id: string, phase: 'start' | 'end', act: () => void) =>
    world.at(atUs, `${id} ${phase}`, () => {
      world.record('fault', { fault: id, phase });
      act();
    });
  fault(150 * MS, 'crash', 'start', () => world.crashNode(`${sites[1]}-1`, 'test'));
  fault(400 * MS, 'crash', 'end', () => world.restartNode(`${sites[1]}-1`, 'test'));
  fault(250 * MS, 'kill', 'start', () => world.crashActor(`g-${sites[0]}-1`, 'test'));
  fault(260 * MS, 'kill', 'end', () => world.restartActor(`g-${sites[0]}-1`, 'test'));
  fault(300 * MS, 'cut', 'start', () => world.partition({ id: 'cut', from: [sites[0]], to: [last] }));
  fault(600 * MS, 'cut', 'end', () => world.heal('cut'));
  // One action, two partitions: both nodes lose power in the same world event, and come back in one.
  fault(700 * MS, 'double', 'start', () => {
    world.crashNode(`${sites[0]}-2`, 'double');
    world.crashNode(`${last}-1`, 'double');
  });
  fault(900 * MS, 'double', 'end', () => {
    world.restartNode(`${last}-1`, 'double');
    world.restartNode(`${sites[0]}-2`, 'double');
  });
}

export const MESH_DEFAULT: MeshArgs = { seed: 3, sites: 4, nodes: 2, endUs: 1 * SECOND };
