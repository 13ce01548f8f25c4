/**
 * The recovery line of uncoordinated checkpoints (Randell 1975; the rollback-dependency graph of
 * Bhargava & Lian 1988, as Elnozahy et al.'s 2002 survey states it): for every operator, the newest
 * state it can resume from such that together they form a state the pipeline can go on from.
 *
 * The candidates of each operator are its own checkpoints, oldest first, and — for an operator
 * that did not fail — its present, volatile state as the newest of them: a survivor keeps what
 * it has unless the line forces it back. A failed operator's volatile state is gone, so the
 * search starts it at its latest checkpoint.
 *
 * The dependency information is what each candidate counts per channel: how many messages the
 * operator had sent (`outputs`) and how many it had received (`inputs`) — carried by every
 * checkpoint's report and every survivor's answer, as the survey's processes carry theirs. For a
 * channel p → q with chosen candidates c_p and c_q:
 * - received > sent: q holds an *orphan* (a message p, rolled back, never sent) — q must roll back;
 * - sent > received: the message is *in transit* in the cut, and with no logged channel nobody
 *   can send it again (direct channels keep nothing across a rollback) — p must roll back to
 *   before it sent it. This is where this model is stricter than orphan-freedom alone: the survey's
 *   line leaves in-transit messages to a reliable channel or a log; here the message log
 *   (`message-logging: pessimistic`) is that, and without it the sender goes back.
 * Rolling one operator back can break a channel that was fine, so the rule is applied until
 * nothing changes. Every operator's initial state (checkpoint 0, all counters zero) is always
 * consistent, so the search ends — in the worst case there: the domino effect, when every
 * checkpoint interval of every operator holds a message across each of its channels.
 *
 * Guarantee: pure, total, deterministic (channels in the given order, histories oldest first);
 * the line it returns satisfies sent = received on every channel, and is the newest such line
 * (rolling back only ever moves an operator to its newest candidate that removes a violation,
 * and every line below the current choice has the same violations or more). With no message on a
 * channel since the failed operator's latest checkpoint, every survivor keeps its present state.
 * Pure sources read a retained instrument stream and need no condition on their input.
 *
 * How it breaks: a message on a channel in every checkpoint interval of every operator (both ways,
 * or one way, as in-transit messages count too) leaves no line but the initial states — the domino
 * effect. Survivors' present states are captured only once all have stopped and their outputs
 * arrived (coordinator.ts), so nothing is in flight between them; a survivor whose receiver does
 * not acknowledge within a request timeout (its node down) reports anyway, and what is then in
 * flight counts as in transit and sends it back. A checkpoint the coordinator never heard of (its report lost with the coordinator's disk, or
 * still unacknowledged at the failure) is no candidate: the line may fall further than the
 * checkpoints on the tiers would allow.
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

/**
 * Instance → the chosen candidate: one of its checkpoints, its entry of `current` (its present
 * state, when it survived), or the initial state (id 0).
 */
export function recoveryLineCandidates(
  histories: ReadonlyMap<string, readonly CheckpointCounters[]>,
  channels: readonly ChannelLink[],
  current: ReadonlyMap<string, CheckpointCounters> = new Map(),
): Map<string, CheckpointCounters> {
  const candidates = new Map<string, CheckpointCounters[]>();
  const chosen = new Map<string, number>();
  for (const [instance, history] of histories) {
    const present = current.get(instance);
    const list = present === undefined ? [INITIAL, ...history] : [INITIAL, ...history, present];
    candidates.set(instance, list);
    chosen.set(instance, list.length - 1);
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
  const line = new Map<string, CheckpointCounters>();
  for (const instance of histories.keys()) line.set(instance, at(instance));
  return line;
}

/** Instance → chosen checkpoint id (0: the initial state; a survivor's present state: its `current` id). */
export function recoveryLine(
  histories: ReadonlyMap<string, readonly CheckpointCounters[]>,
  channels: readonly ChannelLink[],
  current?: ReadonlyMap<string, CheckpointCounters>,
): Map<string, number> {
  const line = new Map<string, number>();
  for (const [instance, chosen] of recoveryLineCandidates(histories, channels, current)) line.set(instance, chosen.id);
  return line;
}
