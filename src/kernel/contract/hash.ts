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

/**
 * A 64-bit digest (16 hex digits) of a value's canonical JSON: two FNV-1a hashes with different
 * seeds. It is `fnv1a(canonicalJson(value))` and `fnv1a(…, 0x9747b28c)` exactly (a property test
 * holds the two together), computed in one walk over the value without building the text: operators
 * digest their state after every event, and the string was most of the cost. The walk is tuned for
 * the small states operators keep (a few keys, 32-bit integers, plain ASCII strings): see
 * `sortedKeys`, `feedNumber` and `feedString`. Anything outside those shortcuts (fractions, numbers
 * beyond 32 bits, strings JSON escapes, many keys) takes JSON's or the library's own path.
 */
export function digestOf(value: unknown): string {
  low = 0x811c9dc5;
  high = 0x9747b28c;
  feedValue(value);
  return hex64(low, high);
}

/** The ASCII codes of the hexadecimal digits 0–f. */
const HEX_DIGITS = new Uint8Array([...'0123456789abcdef'].map((c) => c.charCodeAt(0)));

/**
 * Two 32-bit words as 16 lowercase hexadecimal digits, `first` then `second`, each most significant
 * digit first — what `(w >>> 0).toString(16).padStart(8, '0')` of each writes, made as one string
 * at once (`toString(16)` and the concatenation were half of an operator's state digest).
 */
export function hex64(first: number, second: number): string {
  const h = HEX_DIGITS;
  return String.fromCharCode(
    h[(first >>> 28) & 15]!, h[(first >>> 24) & 15]!, h[(first >>> 20) & 15]!, h[(first >>> 16) & 15]!,
    h[(first >>> 12) & 15]!, h[(first >>> 8) & 15]!, h[(first >>> 4) & 15]!, h[first & 15]!,
    h[(second >>> 28) & 15]!, h[(second >>> 24) & 15]!, h[(second >>> 20) & 15]!, h[(second >>> 16) & 15]!,
    h[(second >>> 12) & 15]!, h[(second >>> 8) & 15]!, h[(second >>> 4) & 15]!, h[second & 15]!,
  );
}

/** The two FNV-1a states of the digest being computed (int32; `>>> 0` at the end). */
let low = 0;
let high = 0;

const PRIME = 0x01000193;

function feedCode(code: number): void {
  low = Math.imul(low ^ code, PRIME);
  high = Math.imul(high ^ code, PRIME);
}

function feedText(text: string): void {
  let a = low;
  let b = high;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, PRIME);
    b = Math.imul(b ^ code, PRIME);
  }
  low = a;
  high = b;
}

/**
 * Feeds what `JSON.stringify(text)` writes: quoted, escaped only when it must be. The common case
 * (nothing to escape) is one pass that hashes into locals as it checks; a character that needs
 * escaping drops them and feeds JSON's own text instead.
 */
function feedString(text: string): void {
  let a = Math.imul(low ^ 0x22, PRIME);
  let b = Math.imul(high ^ 0x22, PRIME);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Control characters, quote, backslash and surrogates (a lone one is escaped) take JSON's own path.
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) {
      feedText(JSON.stringify(text));
      return;
    }
    a = Math.imul(a ^ code, PRIME);
    b = Math.imul(b ^ code, PRIME);
  }
  low = Math.imul(a ^ 0x22, PRIME);
  high = Math.imul(b ^ 0x22, PRIME);
}

/** The two ASCII digits of 0–99, tens first: an integer is split two digits per division. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 0x30 + Math.floor(i / 10);
  DIGIT_PAIRS[2 * i + 1] = 0x30 + (i % 10);
}

/** ASCII digits of the integer being fed, last digit first (2^32 has 10). */
const digits = new Uint8Array(10);

/** Feeds what `JSON.stringify(value)` writes; an integer of 32 bits or less without making its text. */
function feedNumber(value: number): void {
  const magnitude = Math.abs(value);
  if (!Number.isInteger(value) || magnitude > 0xffffffff) {
    feedText(Number.isFinite(value) ? String(value) : 'null');
    return;
  }
  // -0 writes as 0.
  if (value < 0) feedCode(0x2d);
  // Exact: below 2^32 both `>>> 0` (an unsigned 32-bit integer) and the truncated quotient are exact.
  let rest = magnitude >>> 0;
  let count = 0;
  while (rest >= 100) {
    const quotient = (rest / 100) >>> 0;
    const pair = 2 * (rest - quotient * 100);
    digits[count++] = DIGIT_PAIRS[pair + 1]!;
    digits[count++] = DIGIT_PAIRS[pair]!;
    rest = quotient;
  }
  if (rest >= 10) {
    digits[count++] = DIGIT_PAIRS[2 * rest + 1]!;
    digits[count++] = DIGIT_PAIRS[2 * rest]!;
  } else {
    digits[count++] = 0x30 + rest;
  }
  let a = low;
  let b = high;
  while (count > 0) {
    const code = digits[--count]!;
    a = Math.imul(a ^ code, PRIME);
    b = Math.imul(b ^ code, PRIME);
  }
  low = a;
  high = b;
}

/** Above this many keys `Array.prototype.sort` beats insertion sort's quadratic worst case. */
const INSERTION_SORT_MAX = 16;

/**
 * An object's own enumerable keys in `Array.prototype.sort`'s default order (UTF-16 code units,
 * which `>` on strings compares too). States have a handful of keys, which an insertion sort orders
 * faster than the library sort's setup; keys are distinct, so stability does not matter.
 */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value);
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** Feeds `canonicalJson(value)`, case by case as it writes it. */
function feedValue(value: unknown): void {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string') feedString(value);
    else if (typeof value === 'number') feedNumber(value);
    else feedText(JSON.stringify(value) ?? 'null');
    return;
  }
  if (Array.isArray(value)) {
    feedCode(0x5b);
    for (let i = 0; i < value.length; i++) {
      if (i > 0) feedCode(0x2c);
      // `map` skips holes and `join` writes them as nothing.
      if (i in value) feedValue(value[i]);
    }
    feedCode(0x5d);
    return;
  }
  const keys = sortedKeys(value);
  feedCode(0x7b);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) feedCode(0x2c);
    feedString(keys[i]!);
    feedCode(0x3a);
    feedValue((value as Record<string, unknown>)[keys[i]!]);
  }
  feedCode(0x7d);
}
