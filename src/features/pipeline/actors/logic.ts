/**
 * What an operator kind is: its initial state, how one event changes it (in place: the runtime
 * hands `apply` the state itself, or an immer draft of it when incremental checkpoints need the
 * patches), what it emits, and — for sources — the events its generator produces.
 *
 * Contract (what makes replay correct): `apply` is deterministic, and its effect on the state
 * commutes — counts, integer sums, multiset hashes, windows keyed by content — so the final state
 * depends on which events were processed, not on the order a recovery replayed them in. Emitted
 * ids follow `event.ts`. Generated events are a pure function of the run's seed, the instance and
 * their position, because a source's stream is retained at the instrument and re-read after a restore.
 *
 * How it breaks: a kind whose effect does not commute, or whose outputs depend on the order it
 * took its inputs in, recovers to another state than a run without faults: the
 * `state-equals-reference` checker names it. An `account`, which generates while it receives,
 * keeps its exactly-once only over direct channels (log-transport.ts says why).
 */
import type { Draft } from 'immer';
import type { Micros } from '../../../kernel/contract/index.ts';
import type { StreamEvent } from './event.ts';
import type { EventIds } from '../../../kernel/contract/index.ts';

/** Where the runtime got the event from. */
export type Origin = 'generator' | 'input';

/** One output: which of the operator's output streams, and the event. */
export type Emit = (event: StreamEvent) => void;

export interface LogicContext {
  /** The operator's name in the pipeline. */
  readonly op: string;
  /** This instance's actor id. */
  readonly instance: string;
  /** 0-based index among the operator's instances. */
  readonly index: number;
  readonly parallelism: number;
  /** The run's root seed: what a kind draws for its generated events derives from it (kinds.ts `account`). */
  readonly seed: number;
  /** The pipeline's event ids (kernel/contract/event-ids.ts): what an operator numbers its outputs with. */
  readonly ids: EventIds;
}

export interface OperatorLogic<S extends object = object> {
  readonly kind: string;
  initial(): S;
  apply(draft: Draft<S>, event: StreamEvent, origin: Origin, emit: Emit): void;
  /** The generator's k-th event, due at `dueUs` (sources and accounts only). */
  generate?(k: number, dueUs: Micros): StreamEvent;
  /** Amount of the conserved quantity held by a state (bank accounts). */
  conserved?(state: S): number;
  /** Amount of it carried by an event in flight. */
  carried?(event: StreamEvent): number;
}
