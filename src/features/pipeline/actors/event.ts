/**
 * The events that flow through application pipelines, and the multiset hash of their ids that
 * operators keep in their state.
 *
 * Event ids are derived from content identity, never from arrival order: a source's k-th event is
 * `<instance>:<k>`, a split's j-th piece of event e is `<op>/<e>#<j>`, a window's result is
 * `<op>/<window>`. A replay therefore regenerates the same ids, which is what lets a persistent
 * stream de-duplicate re-sent outputs and lets the lost-work metric count re-processing.
 *
 * State digests (`digestOf`) and the hash (`fnv1a`) are the contract's, shared with every feature.
 *
 * Guarantee: the multiset hash (`mixId`) is the same for the same ids in any order, and changes
 * when one is added, lost or repeated. How it fails: it is a sum modulo 2^32 of FNV-1a values —
 * blind to order by design, and two different multisets collide with a chance of about 2^-32 per
 * comparison; an id minted from arrival order would make a replay's outputs new ids, and neither
 * de-duplication nor the lost-work metric would recognise them.
 */
import { fnv1a, type Micros } from '../../../kernel/contract/index.ts';

export interface StreamEvent {
  readonly id: string;
  /** Routing key: an output goes to partition `key mod partitions` of its stream. */
  readonly key: number;
  /** The sequence number of the source event this one derives from (windows are cut on it). */
  readonly root: number;
  /** When the source event it derives from was due at the instrument (end-to-end latency). */
  readonly bornUs: Micros;
  /** Modelled payload size on the wire and on disk. */
  readonly bytes: number;
  /** The real data: small integers, so sums are exact in any order. */
  readonly value: readonly number[];
}

/** Adds an event id into an order-independent multiset hash (a sum modulo 2^32). */
export function mixId(hash: number, id: string): number {
  return (hash + fnv1a(id)) >>> 0;
}
