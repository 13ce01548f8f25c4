/**
 * The recovery line of uncoordinated checkpoints: for every operator, the newest of its own
 * checkpoints such that together they form a state the pipeline can resume from.
 *
 * Each checkpoint records, per channel, how many messages the operator had sent (`outputs`) and
 * how many it had received (`inputs`). For a channel p → q with chosen checkpoints c_p and c_q:
 * - received > sent: q holds an *orphan* (a message p, rolled back, never sent) — q must roll back;
 * - sent > received: the message is *in transit* in the cut, and with no logged channel nobody
 *   can send it again — p must roll back to before it sent it.
 * Rolling one operator back can break a channel that was fine, so the rule is applied until
 * nothing changes. Every operator's initial state (checkpoint 0, all counters zero) is always
 * consistent, so the search ends — in the worst case there: the domino effect (Randell, 1975).
 *
 * Guarantee: pure, total, deterministic (channels in the given order, histories oldest first);
 * the line it returns satisfies sent = received on every channel. Pure sources read a retained
 * instrument stream and need no condition on their input.
 */

export interface CheckpointCounters {
  readonly id: number;
  readonly inputs: Readonly<Record<string, number>>;
  readonly outputs: Readonly<Record<string, number>>;
}

/** One direct channel between two operator instances, named as each end counts it. */
export interface ChannelLink {
  readonly sender: string;
  readonly receiver: string;
  /** The channel's key in the sender's `outputs`. */
  readonly out: string;
  /** The channel's key in the receiver's `inputs`. */
  readonly in: string;
}

const INITIAL: CheckpointCounters = { id: 0, inputs: {}, outputs: {} };

/** Instance → chosen checkpoint id (0: the initial state). */
export function recoveryLine(histories: ReadonlyMap<string, readonly CheckpointCounters[]>, channels: readonly ChannelLink[]): Map<string, number> {
  const candidates = new Map<string, CheckpointCounters[]>();
  const chosen = new Map<string, number>();
  for (const [instance, history] of histories) {
    candidates.set(instance, [INITIAL, ...history]);
    chosen.set(instance, history.length);
  }
  const at = (instance: string): CheckpointCounters => candidates.get(instance)?.[chosen.get(instance) ?? 0] ?? INITIAL;
  /** Moves an instance back to its newest candidate whose counter is at most `limit`. */
  const rollBack = (instance: string, counter: (c: CheckpointCounters) => number, limit: number) => {
    const list = candidates.get(instance);
    let index = chosen.get(instance);
    if (list === undefined || index === undefined) return;
    while (index > 0 && counter(list[index]) > limit) index--;
    chosen.set(instance, index);
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const link of channels) {
      const sent = at(link.sender).outputs[link.out] ?? 0;
      const received = at(link.receiver).inputs[link.in] ?? 0;
      if (received > sent) rollBack(link.receiver, (c) => c.inputs[link.in] ?? 0, sent);
      else if (sent > received) rollBack(link.sender, (c) => c.outputs[link.out] ?? 0, received);
      else continue;
      changed = true;
    }
  }
  const line = new Map<string, number>();
  for (const instance of histories.keys()) line.set(instance, at(instance).id);
  return line;
}
