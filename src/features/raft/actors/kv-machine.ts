/**
 * The teaching feature's replicated state machine: named counters. A command adds `delta` to a
 * key and returns the new value, so a lost or reordered command changes what later commands return.
 *
 * Guarantee: deterministic (`apply` depends on the state and the command alone); the snapshot is
 * plain data with keys sorted, so two nodes in the same state write the same snapshot digest.
 */
import type { StateMachine } from './config.ts';

export interface KvCommand {
  /** The client's id for the command (`<client>#<n>`), so a reply can be matched to it. */
  readonly id: string;
  readonly key: string;
  readonly delta: number;
}

export class CounterMachine implements StateMachine<KvCommand, number> {
  private counters = new Map<string, number>();

  apply(command: KvCommand): number {
    const value = (this.counters.get(command.key) ?? 0) + command.delta;
    this.counters.set(command.key, value);
    return value;
  }

  snapshot(): [string, number][] {
    return [...this.counters].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  restore(snapshot: unknown): void {
    this.counters = new Map(snapshot as [string, number][]);
  }
}
