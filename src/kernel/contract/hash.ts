/**
 * The one hash actor code uses: FNV-1a over a string's UTF-16 code units, and a state digest built
 * from it over canonical JSON. Partitioners (a keyed record's partition, a checkpoint chunk's
 * partition), multiset hashes of event ids and the `digest` fields of `state` and `ckpt` records
 * all go through here, so equal inputs hash alike in every feature.
 *
 * Guarantee: pure functions of their arguments, the same on every platform (32-bit integer
 * arithmetic only). Digests hash canonical JSON (object keys sorted at every level), so two states
 * with the same content have the same digest whatever order their keys were inserted in —
 * insertion order follows arrival order, which faults change. Not a cryptographic hash: collisions
 * are improbable, not impossible, and the trace hash (kernel/trace-hash.ts) is separate.
 */

/** 32-bit FNV-1a of a string; `seed` replaces the standard offset basis for a second, independent hash. */
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

/** A 64-bit digest (16 hex digits) of a value's canonical JSON: two FNV-1a hashes with different seeds. */
export function digestOf(value: unknown): string {
  const json = canonicalJson(value);
  return fnv1a(json).toString(16).padStart(8, '0') + fnv1a(json, 0x9747b28c).toString(16).padStart(8, '0');
}
