/**
 * The emulation's network: every message between actors passes through here, in the orchestrator's
 * thread, and is delayed, dropped or duplicated by the same network model the simulator uses
 * (world/network.ts — channels with latency, bandwidth, jitter, loss, FIFO order, partitions), on
 * the emulated clock instead of the simulated one.
 *
 * Guarantee: a message is handed to its node no earlier than the arrival time the model gives;
 * partitions are checked when it is sent (the sender records the drop) and when it arrives (the
 * receiver does), exactly as in simulation.
 */
import type { World } from '../../world/index.ts';
import type { EmulatedTimers } from './clock.ts';
import type { Delivery, Outgoing, SendDropped } from './protocol.ts';

export interface RouterTargets {
  /** Hands a message (or its arrival-time drop) to the thread of the receiver's node. */
  deliver(node: string, delivery: Delivery): void;
  /** Tells the sender's node that its message never left. */
  dropped(node: string, drop: SendDropped): void;
}

export class Router {
  routed = 0;

  constructor(
    private readonly world: World,
    private readonly timers: EmulatedTimers,
    private readonly targets: RouterTargets,
  ) {}

  route(send: Outgoing): void {
    const from = this.world.deployment.get(send.from);
    const to = this.world.deployment.get(send.to);
    this.routed++;
    const arrival = this.world.network.transmit(from.node, to.node, send.bytes, send.sentAtUs);
    if (typeof arrival === 'string') {
      this.targets.dropped(from.node, { type: 'dropped', from: send.from, to: send.to, msg: send.message.type, sendN: send.sendN, cause: arrival });
      return;
    }
    for (const at of typeof arrival === 'number' ? [arrival] : arrival) {
      this.timers.at(at, () => {
        const blocked = this.world.network.blocked(from.node, to.node) ? 'partition' : undefined;
        this.targets.deliver(to.node, { type: 'deliver', to: send.to, from: send.from, sendN: send.sendN, message: send.message, blocked });
      });
    }
  }
}
