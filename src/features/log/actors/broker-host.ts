/**
 * What a partition role (leader or follower) may ask of the broker it runs in: its identity and
 * configuration, request numbers, group-committed fsyncs, and named timers routed back to it.
 * Roles are plain objects inside the broker actor, so they use the broker's `Context`.
 */
import type { Context, Micros, TimerId } from '../../../kernel/contract/index.ts';
import type { ClusterConfig, TopicConfig } from './config.ts';

export interface BrokerHost {
  readonly id: string;
  readonly config: ClusterConfig;
  /** The controller ISR proposals go to (with a quorum, the active one as the broker last learned). */
  readonly activeController: string;
  topic(name: string): TopicConfig;
  /** A request number no earlier incarnation of this broker used. */
  nextReq(): number;
  /**
   * True when the flush policy is `every-write` and acknowledgements wait for the fsync: a leader
   * then counts only fsynced data toward the high watermark, and a follower fetches again only
   * once what it replicated is fsynced.
   */
  readonly waitsForFlush: boolean;
  /** Issues (or joins) an fsync of the broker's logs; `then` runs once it has completed. */
  flush(ctx: Context, then: () => void): void;
  /** A timer that calls `fire` after `delay`, unless cancelled or the broker crashed. */
  timer(ctx: Context, delay: Micros, fire: (ctx: Context) => void): RoleTimer;
  cancelTimer(ctx: Context, timer: RoleTimer | undefined): void;
  /**
   * Leaders' periodic maintenance (ISR expiry, request timeouts, a lost ISR proposal) must run at
   * the first maintenance tick at or after `dueUs`; ticks at which no leader has anything due are
   * skipped.
   */
  maintainBy(ctx: Context, dueUs: Micros): void;
}

/** A pending role timer: the kernel's timer and the broker's token for its callback. */
export interface RoleTimer {
  readonly id: TimerId;
  readonly token: number;
}
