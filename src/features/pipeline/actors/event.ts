/**
 * The events that flow through application pipelines, and the multiset hash of their ids that
 * operators keep in their state.
 *
 * Event ids are derived from content identity, never from arrival order: a source's k-th event is
 * named `<instance>:<k>`, a split's j-th piece of event e `<op>/<e>#<j>`, a window's result
 * `<op>/<scan>/<key>`. A replay therefore regenerates the same ids, which is what lets a persistent
 * stream de-duplicate re-sent outputs and lets the lost-work metric count re-processing. Inside a
 * run an id is a small integer that encodes that name (kernel/contract/event-ids.ts: below 2^31, content-derived,
 * the same on every worker thread); the name is rendered from it only where text is written — the
 * trace file, timelines, checker messages — and parsed back where a trace is read.
 *
 * State digests (`digestOf`) and the hash (`fnv1a`) are the contract's, shared with every feature.
 *
 * Guarantee: the multiset hash (`mixId`) is the same for the same ids in any order, and changes
 * when one is added, lost or repeated. How it fails: it is a sum modulo 2^32 of 32-bit mixes of the ids —
 * blind to order by design, and two different multisets collide with a chance of about 2^-32 per
 * comparison; an id minted from arrival order would make a replay's outputs new ids, and neither
 * de-duplication nor the lost-work metric would recognise them.
 */
import type { Micros } from '../../../kernel/contract/index.ts';

export interface StreamEvent {
  /** Its id (kernel/contract/event-ids.ts): a small integer naming its lineage. */
  readonly id: number;
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

/**
 * Adds an event id into an order-independent multiset hash (a sum modulo 2^32 of each id's
 * MurmurHash3 finaliser: consecutive ids spread over all 32 bits, so a sum of them is no count).
 */
export function mixId(hash: number, id: number): number {
  let h = id | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (hash + (h >>> 0)) >>> 0;
}
