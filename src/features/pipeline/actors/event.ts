/**
 * The events that flow through application pipelines, and the hashing that turns operator state
 * into a short digest a checker can compare with a fault-free run's.
 *
 * Event ids are derived from content identity, never from arrival order: a source's k-th event is
 * `<instance>:<k>`, a split's j-th piece of event e is `<op>/<e>#<j>`, a window's result is
 * `<op>/<window>`. A replay therefore regenerates the same ids, which is what lets a persistent
 * stream de-duplicate re-sent outputs and lets the lost-work metric count re-processing.
 *
 * Digests hash the state's canonical JSON (object keys sorted), so two states with the same
 * content have the same digest whatever order their keys were inserted in — insertion order
 * follows arrival order, which faults change.
 */
import type { Micros } from '../../../kernel/index.ts';

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

/** 32-bit FNV-1a of a string. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
}

/** A 64-bit digest (16 hex digits) of a state's canonical JSON. */
export function digestOf(state: unknown): string {
  const json = canonicalJson(state);
  return fnv1a(json).toString(16).padStart(8, '0') + fnv1a(json, 0x9747b28c).toString(16).padStart(8, '0');
}

/** Adds an event id into an order-independent multiset hash (a sum modulo 2^32). */
export function mixId(hash: number, id: string): number {
  return (hash + fnv1a(id)) >>> 0;
}
