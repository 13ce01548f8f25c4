/**
 * What the kernel asks of the world it runs in — the network and storage — as one interface, so
 * that the simulator knows nothing of sites, links or disks. `world/` implements it; kernel tests
 * use a trivial one.
 */
import type { ActorHandle, Placement } from './actor-handle.ts';
import type { Disk } from './contract/disk.ts';
import type { Micros } from './contract/time.ts';

/** Why a message was not delivered. */
export type DropCause = 'partition' | 'loss' | 'dead' | 'unknown-target' | 'sender-crash';

export interface Environment {
  /**
   * Arrival time of a message sent now between two actors (by index: `ActorHandle.index`), or why
   * it will never arrive. A list of times delivers the message once per entry (the network
   * duplicated it); an empty list is not allowed.
   */
  transmit(from: number, to: number, bytes: number, now: Micros): Micros | readonly Micros[] | DropCause;
  /**
   * When the message `transmit` last gave arrival times to began and finished transmitting (its
   * first and last byte on the wire), µs. A crash of its sender in between cuts it (`Simulator.crash`).
   * Without them, every message is on the wire whole at its send: no crash cuts one.
   */
  readonly departed?: Micros;
  readonly transmitted?: Micros;
  /** Whether a message arriving now from one actor to another (by index) may be delivered, or why not (a partition began in flight). */
  admits(from: number, to: number, now: Micros): DropCause | undefined;
  /**
   * When the host of actor `dead` (whose process is down) answers for it with an RST sent now, the
   * time that answer reaches actor `to`'s node; undefined when nothing answers — the host itself is
   * down, or the way to `to` is cut (see contract/disconnect.ts). Without it, nothing ever answers.
   */
  answers?(dead: number, to: number, now: Micros): Micros | undefined;
  /**
   * The disk view an actor's context exposes, asked for at the context's first `disk` (not when
   * the actor starts: most actors of a large run never touch one). What lists several actors'
   * files lists them in `ActorHandle.startOrder`, as if each had registered them as it started.
   */
  disk(actor: ActorHandle): Disk;
  /** The actor's node-local clock reading at `now` (`Context.localTime`); default `now`. */
  localTime?(actor: Placement, now: Micros): Micros;
  /** The actor's node CPU slowdown factor (`Context.cpuSlowdown`); default 1. */
  cpuSlowdown?(actor: Placement): number;
}
