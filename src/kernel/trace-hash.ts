/**
 * The trace hash, format 4: a 64-bit digest of every record, computed from the records' values
 * rather than from their text, so that a run need not serialise a record it does not write to a
 * file, and the digest is pure JavaScript (no `node:crypto`: the kernel runs in a browser too).
 *
 * Each record is encoded as a sequence of 32-bit words and digested to 64 bits by two 32-bit
 * lanes that take the words two at a time, one multiply and one xorshift per word, and a last
 * mixing of the lanes with the word count (`digestWords`). The trace hash folds the record digests,
 * in trace order, into two 64-bit chains by one multiply–xorshift step each (`TraceHasher.fold`)
 * and finishes each chain with the record count: 32 hexadecimal digits. Every step of the digest
 * and of the fold is a bijection of its state for given input, so records of one length that
 * differ in one word, and traces that differ in one record's digest, always hash apart. A parallel
 * run's threads digest their own records and the merge folds the digests in the single-thread
 * order, so the hash is the same for any number of threads.
 *
 * The encoding is a function of the record's JSON value — what `JSON.stringify` writes: keys in
 * order, members whose value is `undefined`, a function or a symbol left out of objects and
 * `null` in arrays, non-finite numbers as `null`, `-0` as `0`, `toJSON` honoured, `Number`/
 * `String`/`Boolean` objects as their values — so a record and its line parsed back digest alike.
 * Strings and key lists enter a record as 64-bit digests of their own, so that what repeats from
 * record to record (the keys of a kind, its kind) is digested once, not once per record:
 * - a **string** is digested by `stringDigest`: lanes as a record's over its UTF-16 code units two
 *   per word (low unit in the low half), lane `a` starting at `SEED_A ^ length`.
 * - an **object's shape** is its kept keys in order, each with whether its value is a string: a
 *   chain of 64-bit steps (`shapeStep`) over each key's string digest from a root. An object
 *   whose first four kept members are `t` and `n` (non-negative safe integers), `k` and `a`
 *   (strings) — every trace record — is a *record*: its root is its kind's string digest, so the
 *   kind costs nothing past the shape; any other object's root is a constant.
 * Word by word: a record is `RECORD`, its shape (low, high word), `t` (`UINT` form, two words),
 * `a`'s digest (low, high), `n` (two words), then its other values; any other object is `OBJECT`,
 * its shape, its values. A value where the shape says string is its digest (two words); any other
 * value is tagged: a string (an array's item) `STRING` and its digest, an array `ARRAY << 24 |
 * length` (longer than 2^24 - 2: `ARRAY << 24 | 0xffffff` and the length) then its items, a
 * non-negative integer below 2^24 `SMALL << 24 | x`, a larger non-negative safe integer
 * `UINT << 24 | high 21 bits` and its low 32 bits, any other finite number `NUMBER` and its
 * float64 bits (low word, high word); true, false and null (a non-finite number too) one tag each.
 *
 * Hot kinds: the writers' own entry points for the three kinds written once or twice per event
 * (`foldSend`, `foldRecv`, `foldTimer`) compute exactly these words' digest in registers:
 * their shape is a constant, so the lanes' first steps are done in advance; the actors they name
 * come as numbers (`addActor`: the simulator's actor indices) whose ids' digests are kept in an
 * array by number, and the strings they name again and again (message types, timer names) have
 * their digests kept in a table. Same words, same digest: a way of computing the format, not a
 * change of it. Record shapes (contract/record-shape.ts: a kind written often with the same
 * fields, such as a disk's `append` or a replica's `hw`, declared once by an actor's module): the
 * kind and its field names, each with whether its value is a string, resolved into the shape trie
 * below at a hasher's first record of the shape; `digestShaped` then takes the values by position
 * and writes the same words as `digest` without a fields object or a walk of the trie, and declines
 * a value that does not fit the shape (the writer then digests the record itself).
 *
 * Caches (results never depend on them): the shapes seen are kept in a trie of `ShapeNode`s (at
 * most SHAPE_NODES_MAX nodes, SHAPE_CHILDREN_MAX children each; past either, the steps are
 * computed), walked by comparing each key with the node's children — property names are
 * interned by the engine, so a comparison is usually one pointer test; each node also keeps the
 * last eight string values its key had and their digests (a kind's `op`, `topic` or `file` takes
 * a few values, interleaved), and the hasher the last record's actor's. A string table keyed by content was tried
 * and is not used: a `Map` lookup hashes the string, which costs as much as digesting it.
 *
 * Guarantee: equal records (as JSON values) give equal digests, on any platform, whichever path
 * wrote them (test/kernel/trace-hash.test.ts compares the hot paths with the generic one, lines
 * parsed back, and both with a plain transcription of this definition). Not cryptographic, and a
 * crafted collision is easy. Odds of an accidental one: each lane is 32 bits of state and the
 * finish is a bijection, so two records of one length collide only if both lanes end equal — never
 * when they differ in one word; about 2^-64 when their differing words fall in both lanes; about
 * 2^-32 when all of them (two or more) fall in one lane (even-numbered words only, or odd only).
 * Two strings or two shapes whose 64-bit digests collide (about 2^-64) make two records collide.
 * How it fails: a value JSON cannot write (a BigInt, a cycle) throws, as `JSON.stringify` would.
 */
import { ActorRows, DIGEST_HIGH as LAYOUT_DIGEST_HIGH, DIGEST_LOW as LAYOUT_DIGEST_LOW, ROW as LAYOUT_ROW } from './actor-rows.ts';
import type { RecordShape } from './contract/record-shape.ts';

/**
 * The actor rows' layout (actor-rows.ts), written here as literals and checked against that module
 * when this one loads: the hot kinds read it for every record, and an imported binding is a live
 * one — optimized code loads it through the exporting module's cell and checks it for the hole at
 * each use, where a literal costs nothing (the hot records through the writer ×0.91; a local
 * constant initialised from the import, ×0.95: bench/README.md, "Session 17 — hotrec").
 */
const ROW = 4;
const DIGEST_LOW = 0;
const DIGEST_HIGH = 1;
if (ROW !== LAYOUT_ROW || DIGEST_LOW !== LAYOUT_DIGEST_LOW || DIGEST_HIGH !== LAYOUT_DIGEST_HIGH) throw new Error('trace-hash.ts: the actor rows\' layout changed in actor-rows.ts; update its copy here');

const OBJECT = 1;
const ARRAY = 2;
const STRING = 3;
const NUMBER = 4;
const TRUE = 5;
const FALSE = 6;
const NULL = 7;
const RECORD = 8;
const SMALL = 9;
const UINT = 10;

const LONG = 0xffffff;
const SMALL_LIMIT = 2 ** 24;
const TWO_32 = 2 ** 32;
/** Odd multipliers (xxHash's 32-bit primes) and the two lanes' starting values (digits of pi). */
const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;
const P5 = 0x165667b1 | 0;
const SEED_A = 0x243f6a88;
const SEED_B = 0x85a308d3 | 0;
/** The trace hash's chains start here (more digits of pi). */
const RUN_SEED_1 = 0x13198a2e;
const RUN_SEED_2 = 0x03707344;
const RUN_SEED_3 = 0xa4093822 | 0;
const RUN_SEED_4 = 0x299f31d0;
/** The shape chain's root for objects that are not records, and what a string-valued key adds (more digits of pi). */
const OBJECT_ROOT_LOW = 0x082efa98;
const OBJECT_ROOT_HIGH = 0xec4e6c89 | 0;
const RECORD_ROOT_LOW = 0x452821e6;
const RECORD_ROOT_HIGH = 0x38d01377;
const STRING_VALUED = 0xbe5466cf | 0;

const scratch = new Float64Array(1);
const scratchWords = new Int32Array(scratch.buffer);

/** Whether a number is written as `UINT` (two words): a non-negative safe integer (-0 included). */
function isUint(x: number): boolean {
  return x >= 0 && x <= Number.MAX_SAFE_INTEGER && Math.floor(x) === x;
}

/** The first of a `UINT`'s two words (`isUint(x)`); the second is `x | 0`. */
function uintHigh(x: number): number {
  return x < TWO_32 ? UINT << 24 : (UINT << 24) | Math.floor(x / TWO_32);
}

/**
 * The record digest of `count` words of `words`: two 32-bit lanes, `a` starting at `SEED_A` and
 * taking the even-numbered words, `b` starting at `SEED_B` and taking the odd ones, each word by
 * `lane = (lane ^ word)·P; lane ^= lane >>> 15` (P1 for `a`, P2 for `b`), then `finish64` of
 * `a ^ count` and `b`. The lanes are independent until the finish, so a processor runs them side
 * by side. Every step is a bijection of its lane for a given word, so two word sequences of one
 * length that differ in one word always digest apart. Left in `out[0..1]`.
 */
export function digestWords(words: Int32Array, count: number, out: Int32Array): void {
  let a = SEED_A;
  let b = SEED_B;
  let i = 0;
  for (; i + 1 < count; i += 2) {
    a = Math.imul(a ^ words[i], P1);
    a ^= a >>> 15;
    b = Math.imul(b ^ words[i + 1], P2);
    b ^= b >>> 15;
  }
  if (i < count) {
    a = Math.imul(a ^ words[i], P1);
    a ^= a >>> 15;
  }
  finish64(a ^ count, b, out);
}

/**
 * The last mixing of a record's lanes into its digest, `out[0..1]`: a bijection of the 64 bits,
 * so that every bit of every word reaches every bit of the digest.
 */
function finish64(a: number, b: number, out: Int32Array): void {
  a = Math.imul(a ^ (b >>> 16), P3);
  b = Math.imul(b ^ (a >>> 15), P4);
  a = Math.imul(a ^ (b >>> 13), P5);
  b = Math.imul(b ^ (a >>> 16), P3);
  a ^= b >>> 16;
  out[0] = a;
  out[1] = b ^ (a >>> 15);
}

/**
 * A string's digest, left in `out[0..1]`: its code units two per word (the last one alone if the
 * length is odd), lane `a` from `SEED_A ^ length` taking the even words and `b` from `SEED_B` the
 * odd ones, then `finish64` — the record digest's lanes, with the length in place of the count.
 */
export function stringDigest(s: string, out: Int32Array): void {
  const length = s.length;
  let a = SEED_A ^ length;
  let b = SEED_B;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    a = Math.imul(a ^ (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)), P1);
    a ^= a >>> 15;
    b = Math.imul(b ^ (s.charCodeAt(i + 2) | (s.charCodeAt(i + 3) << 16)), P2);
    b ^= b >>> 15;
  }
  if (i + 1 < length) {
    a = Math.imul(a ^ (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)), P1);
    a ^= a >>> 15;
    if (i + 2 < length) {
      b = Math.imul(b ^ s.charCodeAt(i + 2), P2);
      b ^= b >>> 15;
    }
  } else if (i < length) {
    a = Math.imul(a ^ s.charCodeAt(i), P1);
    a ^= a >>> 15;
  }
  finish64(a, b, out);
}

/**
 * One step of a shape chain: the chain `(low, high)` takes a key's digest `(keyLow, keyHigh)` and
 * whether its value is a string; left in `out[0..1]`. A bijection of the chain for given input.
 */
function shapeStep(low: number, high: number, keyLow: number, keyHigh: number, stringValued: boolean, out: Int32Array): void {
  let x = Math.imul(low ^ keyLow, P3);
  let y = Math.imul(high ^ keyHigh ^ (stringValued ? STRING_VALUED : 0), P4);
  x ^= y >>> 15;
  y ^= x >>> 13;
  out[0] = x;
  out[1] = y;
}

/** The 32 hex digits of a trace hash: its four words as little-endian bytes, in order. */
export function hex(d1: number, d2: number, d3: number, d4: number): string {
  let out = '';
  for (const word of [d1, d2, d3, d4]) {
    for (let byte = 0; byte < 4; byte++) out += ((word >>> (8 * byte)) & 0xff).toString(16).padStart(2, '0');
  }
  return out;
}

/** A shape seen before: the chain after its last key (`low`, `high`) and the shapes that extend it. */
class ShapeNode {
  readonly children: ShapeNode[] = [];
  /** In the trie (false: made past its bounds, for one object only; its children are never kept). */
  attached = true;
  /**
   * The last `TEXT_MEMO` string values this key had, and their digests (low, high), replaced in
   * turn: a kind's `op`, `topic` or `file` takes a few values, often interleaved (a disk's
   * `append`, `fsync`, `fsync-done`), and a hit costs a comparison instead of a digest.
   */
  readonly texts: (string | undefined)[] = Array.from({ length: TEXT_MEMO }, () => undefined);
  readonly textDigests = new Int32Array(2 * TEXT_MEMO);
  nextText = 0;
  /**
   * Misses of the memo in a row, and how many values are still digested without looking at it: a
   * key whose values never repeat (an event id, a state digest) would pay eight string comparisons
   * per value for nothing — and ids of one length share long prefixes. After `MEMO_GIVE_UP` misses
   * in a row the memo rests for `MEMO_REST` values, then is tried again.
   */
  memoMisses = 0;
  memoRest = 0;
  constructor(
    readonly key: string,
    readonly stringValued: boolean,
    readonly low: number,
    readonly high: number,
  ) {}
}

/**
 * String values remembered per shape node (a power of two). Eight, not four: a log's brokers write
 * to each partition's segment and high-watermark files in turn, and a disk record's `file` then
 * cycles through five to eight names (an hour of aps-xray under stream-replay: of 409,827 `file`
 * values, four slots would find 274,506 — fewer still once a run of misses rests the memo —,
 * eight 397,901, sixteen 403,615).
 */
const TEXT_MEMO = 8;
/** Misses in a row after which a shape node's memo rests, and for how many values (`ShapeNode.memoMisses`). */
const MEMO_GIVE_UP = 16;
const MEMO_REST = 1024;

/** Bounds of the shape trie: a run whose objects are keyed by data must not grow memory with its length. */
const SHAPE_NODES_MAX = 8192;
const SHAPE_CHILDREN_MAX = 64;

/** Strings whose digests a hasher keeps (message types, timer names); past it, they are digested each time. */
const CACHED_STRINGS_MAX = 4096;

/** The slot of a string digested just now, outside the table (the cache was full). */
const SCRATCH = -1;

/** Words per slot of the string table: the string's 64-bit digest (low, high). */
const DIGEST_STRIDE = 2;

/** The hot kinds' memo entries (`TraceHasher.namedSlot`). */
const SEND_SITE = 0;
const RECV_SITE = 1;
const TIMER_SITE = 2;

const shapeOut = new Int32Array(2);

/** The chain of a record of kind `kind` whose other keys are `rest` (each with whether its value is a string). */
function recordShape(kind: string, rest: readonly (readonly [string, boolean])[]): [number, number] {
  stringDigest(kind, shapeOut);
  let [low, high] = [shapeOut[0] ^ RECORD_ROOT_LOW, shapeOut[1] ^ RECORD_ROOT_HIGH];
  for (const [key, stringValued] of rest) {
    stringDigest(key, shapeOut);
    shapeStep(low, high, shapeOut[0], shapeOut[1], stringValued, shapeOut);
    [low, high] = [shapeOut[0], shapeOut[1]];
  }
  return [low, high];
}

/** Lane `a` after words 0 and 2 and lane `b` after word 1 of a hot kind's record (`RECORD`, its shape). */
function hotStart(kind: string, rest: readonly (readonly [string, boolean])[]): [number, number] {
  const [low, high] = recordShape(kind, rest);
  let a = Math.imul(SEED_A ^ RECORD, P1);
  a ^= a >>> 15;
  a = Math.imul(a ^ high, P1);
  a ^= a >>> 15;
  let b = Math.imul(SEED_B ^ low, P2);
  b ^= b >>> 15;
  return [a, b];
}

const [SEND_A, SEND_B] = hotStart('send', [['to', true], ['msg', true], ['bytes', false]]);
const [RECV_A, RECV_B] = hotStart('recv', [['from', true], ['msg', true], ['s', false]]);
const [TIMER_A, TIMER_B] = hotStart('timer', [['name', true]]);

/**
 * What `JSON.stringify` writes for `value` as `holder[key]`, before it looks at the type: the
 * result of its `toJSON`, and a Number, String or Boolean object's primitive value.
 */
function resolve(value: unknown, key: string | number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: (key: string) => unknown }).toJSON(String(key));
    if (value === null || typeof value !== 'object') return value;
  }
  if (Array.isArray(value)) return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto === Object.prototype || proto === null) return value;
  if (value instanceof Number) return Number(value);
  if (value instanceof String) return String(value);
  if (value instanceof Boolean) return value.valueOf();
  return value;
}


/**
 * Encodes records into record digests (left in `d1`, `d2`) and folds digests into the trace's hash
 * (`fold`, `hex`). One per trace writer, or per thread of a parallel run.
 */
export class TraceHasher {
  /** The record being encoded: `used` words of `words` (grown for deep or long values). */
  private words = new Int32Array(1024);
  private used = 0;
  private readonly out = new Int32Array(2);
  /** The trace hash's state: two 64-bit chains (`h1, h2` and `h3, h4`) over the `folded` record digests. */
  private h1 = RUN_SEED_1;
  private h2 = RUN_SEED_2;
  private h3 = RUN_SEED_3;
  private h4 = RUN_SEED_4;
  private folded = 0;
  /**
   * Actors by number (`addActor`), and their ids' digests in the actors' rows (actor-rows.ts, which
   * the environment's places share): a hot record names an actor by number and reads its digest
   * from its row. (Session 8 looked the id up in the string table below through a slot the
   * simulator kept per actor: two dependent cache misses per actor named, with many actors.)
   */
  private readonly actorIds: string[] = [];
  readonly actors = new ActorRows();
  /** String table: the hot records' cached strings (message types, timer names), with their 64-bit digests, by slot. */
  private readonly slots = new Map<string, number>();
  /** Per slot, `DIGEST_STRIDE` words: the string's 64-bit digest (low, high). */
  private digests = new Int32Array(DIGEST_STRIDE * 256);
  // The message type or timer name each hot kind (SEND_SITE…) named last, and its slot: a run
  // names few of them, often the same one many times in a row, and a hit skips the table lookup.
  // A string digested afresh (`SCRATCH`, the cache being full) is not remembered: that slot is
  // another string's next.
  private readonly lastNamed: (string | undefined)[] = [undefined, undefined, undefined];
  private readonly lastSlots = new Int32Array(3);
  private scratchLow = 0;
  private scratchHigh = 0;
  /** The shape trie's roots: records (children by kind) and other objects (children by first key). */
  private readonly records = new ShapeNode('', false, RECORD_ROOT_LOW, RECORD_ROOT_HIGH);
  private readonly objects = new ShapeNode('', false, OBJECT_ROOT_LOW, OBJECT_ROOT_HIGH);
  private shapeNodes = 0;
  /** Each record shape's nodes in the trie (`resolve`), by the shape's number. */
  private readonly shapePaths: (readonly ShapeNode[] | undefined)[] = [];
  /** The last record's actor and its digest: records come in runs from one actor. */
  private lastActor: string | undefined;
  private lastActorLow = 0;
  private lastActorHigh = 0;
  /** The last record's digest (low word, high word). */
  d1 = 0;
  d2 = 0;

  /** Digests any record (a JSON value): the definition, and the path of every kind but the hot ones' writers. */
  digest(record: object): void {
    this.used = 0;
    this.value(record, '');
    const out = this.out;
    digestWords(this.words, this.used, out);
    this.d1 = out[0];
    this.d2 = out[1];
  }

  /**
   * Copies `fields` into `record` — a record's head `{t, k, a, n}` so far — and digests the whole
   * record in the same walk over `fields`: what `digest(record)` gives after the copy, without
   * walking the members twice (the writer's path for records made of a head and fields). With
   * `copy` false the fields are digested as if copied, and `record` keeps only its head unless a
   * fallback below needs the copy (the writer's path for a record nobody reads). A field named
   * `t`, `k`, `a` or `n` throws before anything is digested past it (the head's names are the
   * trace's). A key that begins with a digit may be an array index, which JavaScript lists before
   * `t`, and `__proto__` sets the copy's prototype instead of a member: the copy is then finished
   * and digested by `digest`, as is a head that is not a record's. `actorNumber`, when given, is
   * the number `addActor` gave the head's `a`: its digest is then read from the actors' table.
   */
  digestFields(record: Record<string, unknown>, fields: Record<string, unknown>, copy = true, actorNumber = -1): void {
    const { t, k: kind, a: actor, n } = record;
    let node: ShapeNode | undefined;
    if (typeof kind === 'string' && typeof actor === 'string' && typeof t === 'number' && isUint(t) && typeof n === 'number' && isUint(n)) {
      this.used = 0;
      this.reserve(9);
      if (actorNumber >= 0) {
        const d = this.actors.words;
        this.recordHead(0, t, d[ROW * actorNumber + DIGEST_LOW]!, d[ROW * actorNumber + DIGEST_HIGH]!, n);
      } else {
        this.actorDigest(actor);
        this.recordHead(0, t, this.lastActorLow, this.lastActorHigh, n);
      }
      node = this.child(this.records, kind, true);
    }
    if (node === undefined && !copy) return this.digestCopy(record, fields);
    for (const key in fields) {
      if (key === 't' || key === 'k' || key === 'a' || key === 'n') throw new Error(`trace field name ${key} is reserved`);
      const raw = fields[key];
      if (copy) record[key] = raw;
      if (node === undefined) continue;
      const first = key.charCodeAt(0);
      if ((first >= 48 && first <= 57) || key === '__proto__') {
        if (!copy) return this.digestCopy(record, fields);
        node = undefined;
        continue;
      }
      const value = typeof raw === 'object' && raw !== null ? resolve(raw, key) : raw;
      const type = typeof value;
      if (type === 'undefined' || type === 'function' || type === 'symbol') continue;
      node = this.member(node, key, value, type);
    }
    if (node === undefined) return this.digest(record);
    this.sealRecord(node);
  }

  /** The record in the word buffer from word 0, of shape `node` (written into its header now): its digest, left in `d1`, `d2`. */
  private sealRecord(node: ShapeNode): void {
    const w = this.words;
    w[1] = node.low;
    w[2] = node.high;
    const out = this.out;
    digestWords(w, this.used, out);
    this.d1 = out[0];
    this.d2 = out[1];
  }

  /** `digestFields` with the copy made first (its fallbacks, when asked not to copy): the copy's digest. */
  private digestCopy(record: Record<string, unknown>, fields: Record<string, unknown>): void {
    for (const key in fields) {
      if (key === 't' || key === 'k' || key === 'a' || key === 'n') throw new Error(`trace field name ${key} is reserved`);
      record[key] = fields[key];
    }
    this.digest(record);
  }

  /**
   * The digest of the record `{t, k: shape.kind, a, n, ...fields}` (`actorNumber` the number
   * `addActor` gave `a`), its fields `values` by position: what `digest` gives that record. Returns
   * false when the record does not have the shape — a value not of its field's type (contract/
   * record-shape.ts), or `t` or `n` not a non-negative safe integer: the caller then digests the
   * record itself (a decline may leave words in the buffer and memo entries, never a digest).
   */
  digestShaped(shape: RecordShape, t: number, actorNumber: number, n: number, values: readonly unknown[]): boolean {
    if (!isUint(t) || !isUint(n)) return false;
    const nodes = this.shapePaths[shape.id] ?? this.shapePathOf(shape);
    const types = shape.types;
    const count = types.length;
    this.used = 0;
    this.reserve(9 + 3 * count);
    const d = this.actors.words;
    this.recordHead(0, t, d[ROW * actorNumber + DIGEST_LOW]!, d[ROW * actorNumber + DIGEST_HIGH]!, n);
    for (let i = 0; i < count; i++) {
      const value = values[i];
      const type = types[i];
      if (type === 'string') {
        if (typeof value !== 'string') return false;
        this.text(nodes[i + 1]!, value);
      } else if (type === 'number') {
        if (typeof value !== 'number') return false;
        this.number(value);
      } else {
        // As `digestFields` takes a member: resolved, then any type but a string (its node is
        // not string-valued) or one JSON leaves out.
        const resolved = typeof value === 'object' && value !== null ? resolve(value, shape.keys[i]!) : value;
        const of = typeof resolved;
        if (of === 'string' || of === 'undefined' || of === 'function' || of === 'symbol') return false;
        this.encode(resolved);
      }
    }
    this.sealRecord(nodes[count]!);
    return true;
  }

  /** The trie's nodes of `shape` — its kind's, then one after each field — kept by the shape's number (`shapePaths`). */
  private shapePathOf(shape: RecordShape): readonly ShapeNode[] {
    let node = this.child(this.records, shape.kind, true);
    const nodes = [node];
    for (let i = 0; i < shape.keys.length; i++) nodes.push((node = this.child(node, shape.keys[i]!, shape.types[i] === 'string')));
    this.shapePaths[shape.id] = nodes;
    return nodes;
  }

  /**
   * Numbers an actor for the hot records (the next number, from 0; the simulator's actor index):
   * its id's digest is kept for the run. The table grows with the actors.
   */
  addActor(id: string): number {
    this.actorIds.push(id);
    const out = this.out;
    stringDigest(id, out);
    return this.actors.add(out[0], out[1]);
  }

  /** The id of actor `number` (`addActor`). */
  actorAt(number: number): string {
    return this.actorIds[number];
  }

  /**
   * `{t, k: 'send', a, n, to, msg, bytes}` with `a` and `to` actor numbers: digested, as `digest`
   * would, and folded into the trace's hash (`foldLast`), its digest left in `d1`, `d2`. The
   * numbers must be finite (the caller checks: other records take `digest`).
   */
  foldSend(t: number, a: number, n: number, to: number, msg: string, bytes: number): void {
    if (!isUint(t) || !isUint(n)) return this.foldWhole({ t, k: 'send', a: this.actorAt(a), n, to: this.actorAt(to), msg, bytes });
    const type = this.namedSlot(SEND_SITE, msg);
    if (type === SCRATCH) return this.hot3(SEND_A, SEND_B, t, a, n, to, this.scratchLow, this.scratchHigh, bytes);
    const d = this.digests;
    this.hot3(SEND_A, SEND_B, t, a, n, to, d[DIGEST_STRIDE * type], d[DIGEST_STRIDE * type + 1], bytes);
  }

  /** `{t, k: 'recv', a, n, from, msg, s}` with `a` and `from` actor numbers, as `foldSend`. */
  foldRecv(t: number, a: number, n: number, from: number, msg: string, s: number): void {
    if (!isUint(t) || !isUint(n)) return this.foldWhole({ t, k: 'recv', a: this.actorAt(a), n, from: this.actorAt(from), msg, s });
    const type = this.namedSlot(RECV_SITE, msg);
    if (type === SCRATCH) return this.hot3(RECV_A, RECV_B, t, a, n, from, this.scratchLow, this.scratchHigh, s);
    const d = this.digests;
    this.hot3(RECV_A, RECV_B, t, a, n, from, d[DIGEST_STRIDE * type], d[DIGEST_STRIDE * type + 1], s);
  }

  /** A hot kind's record that takes the generic path (`digest`), folded as the hot path folds. */
  private foldWhole(record: object): void {
    this.digest(record);
    this.foldLast();
  }

  /** `{t, k: 'timer', a, n, name}` with `a` an actor number, as `foldSend`. */
  foldTimer(t: number, a: number, n: number, name: string): void {
    if (!isUint(t) || !isUint(n)) return this.foldWhole({ t, k: 'timer', a: this.actorAt(a), n, name });
    const named = this.namedSlot(TIMER_SITE, name);
    const nameLow = this.lowOf(named);
    const nameHigh = this.highOf(named);
    const d = this.actors.words;
    const as = ROW * a;
    // Words 3–10: t (high, low), a's digest (low, high), n (high, low), the name's digest (low, high).
    let h = Math.imul(TIMER_A ^ (t | 0), P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ d[as + DIGEST_HIGH], P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ (n | 0), P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ nameHigh, P1);
    h ^= h >>> 15;
    let b = Math.imul(TIMER_B ^ uintHigh(t), P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ d[as + DIGEST_LOW], P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ uintHigh(n), P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ nameLow, P2);
    b ^= b >>> 15;
    this.finish(h ^ 11, b);
  }

  /** Folds the last record's digest into the trace's hash. */
  foldLast(): void {
    this.fold(this.d1, this.d2);
  }

  /**
   * Folds a record digest (computed here or in another thread) into the trace's hash: each chain
   * takes both words by one multiply–xorshift step (a bijection of the chain for a given digest,
   * so a record that digests apart always moves the state apart), the second chain with the words
   * swapped and other multipliers.
   */
  fold(d1: number, d2: number): void {
    let h1 = Math.imul(this.h1 ^ d1, P1);
    let h2 = Math.imul(this.h2 ^ d2, P2);
    h1 ^= h2 >>> 15;
    h2 ^= h1 >>> 13;
    let h3 = Math.imul(this.h3 ^ d2, P3);
    let h4 = Math.imul(this.h4 ^ d1, P4);
    h3 ^= h4 >>> 16;
    h4 ^= h3 >>> 11;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
    this.h4 = h4;
    this.folded++;
  }

  /** The trace's hash: each chain, with the number of records folded, finished as a record digest is. */
  hex(): string {
    const out = this.out;
    finish64(this.h1 ^ this.folded, this.h2, out);
    const [w1, w2] = out;
    finish64(this.h3 ^ Math.floor(this.folded / TWO_32), this.h4 ^ this.folded, out);
    return hex(w1, w2, out[0], out[1]);
  }

  // --- the hot kinds, in registers ---

  /**
   * A send or recv record (`t`, `n` non-negative safe integers), digested without the word buffer:
   * the words `digest` would write — `RECORD`, the shape (done in advance: `aStart`, `bStart`),
   * t (high, low), `a`'s digest (low, high), n (high, low), the other actor's and the type's
   * digests (low, high), then the last number in its tagged form (one, two or three words) — in
   * the lanes where `digestWords` takes them. Same digest as `digest`, by construction and by test.
   */
  private hot3(aStart: number, bStart: number, t: number, a: number, n: number, other: number, typeLow: number, typeHigh: number, x: number): void {
    const d = this.actors.words;
    const as = ROW * a;
    const os = ROW * other;
    let h = Math.imul(aStart ^ (t | 0), P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ d[as + DIGEST_HIGH], P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ (n | 0), P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ d[os + DIGEST_HIGH], P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ typeHigh, P1);
    h ^= h >>> 15;
    let b = Math.imul(bStart ^ uintHigh(t), P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ d[as + DIGEST_LOW], P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ uintHigh(n), P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ d[os + DIGEST_LOW], P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ typeLow, P2);
    b ^= b >>> 15;
    // Word 13 (lane b) on: the last number, most often small (one word); the other forms out of line.
    if (x >= 0 && x < SMALL_LIMIT && Math.floor(x) === x) {
      b = Math.imul(b ^ ((SMALL << 24) | x), P2);
      this.finish(h ^ 14, b ^ (b >>> 15));
    } else this.hotTail(h, b, x);
  }

  /** `hot3`'s last number when it is not small: `UINT` (words 13–14) or `NUMBER` (13–15), then the finish. */
  private hotTail(h: number, b: number, x: number): void {
    if (isUint(x)) {
      b = Math.imul(b ^ uintHigh(x), P2);
      b ^= b >>> 15;
      h = Math.imul(h ^ ((x - Math.floor(x / TWO_32) * TWO_32) | 0), P1);
      this.finish((h ^ (h >>> 15)) ^ 15, b);
      return;
    }
    scratch[0] = x;
    b = Math.imul(b ^ NUMBER, P2);
    b ^= b >>> 15;
    h = Math.imul(h ^ scratchWords[0], P1);
    h ^= h >>> 15;
    b = Math.imul(b ^ scratchWords[1], P2);
    this.finish(h ^ 16, b ^ (b >>> 15));
  }

  /**
   * A hot record's digest from its lanes (`finish64`), left in `d1`, `d2`, and folded: the fold
   * here rather than by the trace writer's `foldLast` after the call takes the digest from the
   * registers (bench/README, session 22).
   */
  private finish(a: number, b: number): void {
    const out = this.out;
    finish64(a, b, out);
    const d1 = (this.d1 = out[0]!);
    const d2 = (this.d2 = out[1]!);
    this.fold(d1, d2);
  }

  /**
   * A slot for a string seen in a hot record: the cached one, or a new one while the cache has
   * room; once it is full, `SCRATCH`, with the string digested afresh (read it before the next lookup).
   */
  private cachedSlot(text: string): number {
    const known = this.slots.get(text);
    if (known !== undefined) return known;
    const out = this.out;
    stringDigest(text, out);
    const slot = this.slots.size;
    if (slot >= CACHED_STRINGS_MAX) {
      this.scratchLow = out[0];
      this.scratchHigh = out[1];
      return SCRATCH;
    }
    this.slots.set(text, slot);
    if (DIGEST_STRIDE * (slot + 1) > this.digests.length) {
      const grown = new Int32Array(2 * this.digests.length);
      grown.set(this.digests);
      this.digests = grown;
    }
    this.digests[DIGEST_STRIDE * slot] = out[0];
    this.digests[DIGEST_STRIDE * slot + 1] = out[1];
    return slot;
  }

  /** `cachedSlot` for the string a hot kind names (`site`), through that kind's last-named memo. */
  private namedSlot(site: number, text: string): number {
    if (text === this.lastNamed[site]) return this.lastSlots[site];
    const slot = this.cachedSlot(text);
    this.lastNamed[site] = slot === SCRATCH ? undefined : text;
    this.lastSlots[site] = slot;
    return slot;
  }

  private lowOf(slot: number): number {
    return slot === SCRATCH ? this.scratchLow : this.digests[DIGEST_STRIDE * slot];
  }

  private highOf(slot: number): number {
    return slot === SCRATCH ? this.scratchHigh : this.digests[DIGEST_STRIDE * slot + 1];
  }

  // --- the generic path: the word buffer ---

  /** Makes room for `words` more words past the `used` ones. */
  private reserve(words: number): void {
    if (this.used + words > this.words.length) {
      const next = new Int32Array(Math.max(this.words.length * 2, this.used + words));
      next.set(this.words);
      this.words = next;
    }
  }

  /** A string's digest as two words at `at` (room reserved). */
  private putString(at: number, s: string): void {
    const out = this.out;
    stringDigest(s, out);
    this.words[at] = out[0];
    this.words[at + 1] = out[1];
  }

  /** A number's words at `used` (room for three reserved). */
  private number(x: number): void {
    const w = this.words;
    let at = this.used;
    if (x >= 0 && x <= Number.MAX_SAFE_INTEGER && Math.floor(x) === x) {
      // -0 passes too, and writes as 0, as JSON writes it.
      if (x < SMALL_LIMIT) w[at++] = (SMALL << 24) | x;
      else {
        const high = Math.floor(x / TWO_32);
        w[at++] = (UINT << 24) | high;
        w[at++] = (x - high * TWO_32) | 0;
      }
    } else if (!Number.isFinite(x)) {
      w[at++] = NULL;
    } else {
      scratch[0] = x;
      w[at++] = NUMBER;
      w[at++] = scratchWords[0];
      w[at++] = scratchWords[1];
    }
    this.used = at;
  }

  /** A JSON value, tagged, as `JSON.stringify(holder[key])` would write it; `key` is for `toJSON`. */
  private value(value: unknown, key: string | number): void {
    this.encode(resolve(value, key));
  }

  /** A value `resolve`d already, tagged. */
  private encode(value: unknown): void {
    this.reserve(3);
    switch (typeof value) {
      case 'string':
        this.taggedString(value);
        return;
      case 'number':
        this.number(value);
        return;
      case 'boolean':
        this.words[this.used++] = value ? TRUE : FALSE;
        return;
      case 'bigint':
        throw new TypeError('Do not know how to serialize a BigInt');
      case 'object':
        if (value === null) this.words[this.used++] = NULL;
        else if (Array.isArray(value)) this.array(value);
        else this.object(value);
        return;
      default:
        // undefined, a function or a symbol where a value must be (an array's item): JSON writes null.
        this.words[this.used++] = NULL;
    }
  }

  private array(items: readonly unknown[]): void {
    const length = items.length;
    if (length < LONG) this.words[this.used++] = (ARRAY << 24) | length;
    else {
      this.words[this.used++] = (ARRAY << 24) | LONG;
      this.words[this.used++] = length;
    }
    for (let i = 0; i < length; i++) {
      const item = items[i];
      // Most arrays in a trace are event ids: a string needs neither `resolve` nor a dispatch on its type.
      if (typeof item === 'string') {
        this.reserve(3);
        this.taggedString(item);
      } else this.value(item, i);
    }
  }

  /** A string as a value that is not a string-valued member (an array's item): `STRING` and its digest, at `used` (room for three reserved). */
  private taggedString(s: string): void {
    this.words[this.used] = STRING;
    this.putString(this.used + 1, s);
    this.used += 3;
  }

  /**
   * An object (not an array, `resolve`d): a record if its first four kept members are a record's
   * head, else a plain object. The tag and the shape go in the header's three words at the end;
   * a record's head takes the next six words, written as its members come.
   */
  private object(object: object): void {
    const proto = Object.getPrototypeOf(object) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      // Its own enumerable keys in order, as JSON takes them (`for…in` would list inherited ones too).
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(object)) copy[key] = (object as Record<string, unknown>)[key];
      return this.object(copy);
    }
    const o = object as Record<string, unknown>;
    this.reserve(9);
    const header = this.used;
    // Until `node` is set, the members so far (`taken`) may be a record's head.
    let node: ShapeNode | undefined;
    let taken = 0;
    let t = 0;
    let kind = '';
    let actor = '';
    // A plain object inherits no enumerable key, so `for…in` lists its own ones, in their order —
    // and lets V8 read each value through the enumeration cache.
    for (const key in o) {
      let value = o[key];
      if (typeof value === 'object' && value !== null) value = resolve(value, key);
      const type = typeof value;
      if (type === 'undefined' || type === 'function' || type === 'symbol') continue;
      if (node === undefined) {
        if (taken === 0 && key === 't' && type === 'number' && isUint(value as number)) {
          t = value as number;
          taken = 1;
          continue;
        }
        if (taken === 1 && key === 'k' && type === 'string') {
          kind = value as string;
          taken = 2;
          continue;
        }
        if (taken === 2 && key === 'a' && type === 'string') {
          actor = value as string;
          taken = 3;
          continue;
        }
        if (taken === 3 && key === 'n' && type === 'number' && isUint(value as number)) {
          this.actorDigest(actor);
          this.recordHead(header, t, this.lastActorLow, this.lastActorHigh, value as number);
          node = this.child(this.records, kind, true);
          continue;
        }
        node = this.plainHead(header, taken, t, kind, actor);
      }
      node = this.member(node, key, value, type);
    }
    if (node === undefined) node = this.plainHead(header, taken, t, kind, actor);
    const w = this.words;
    w[header + 1] = node.low;
    w[header + 2] = node.high;
  }

  /**
   * A kept member of an object after its head (`value` `resolve`d, of type `type`): the shape
   * extended by its key, its words at `used`. Returns the extended shape.
   */
  private member(node: ShapeNode, key: string, value: unknown, type: string): ShapeNode {
    if (type === 'string') {
      node = this.child(node, key, true);
      this.reserve(2);
      this.text(node, value as string);
    } else if (type === 'number') {
      node = this.child(node, key, false);
      this.reserve(3);
      this.number(value as number);
    } else {
      node = this.child(node, key, false);
      this.encode(value);
    }
    return node;
  }

  /**
   * The digest of `value`, the string value of `node`'s key, as two words at `used` (room
   * reserved): from the node's memo of its last values when it is there.
   */
  private text(node: ShapeNode, value: string): void {
    const w = this.words;
    const at = this.used;
    this.used = at + 2;
    if (node.memoRest > 0) {
      node.memoRest--;
      this.putString(at, value);
      return;
    }
    const texts = node.texts;
    const digests = node.textDigests;
    for (let i = 0; i < TEXT_MEMO; i++) {
      if (value === texts[i]) {
        node.memoMisses = 0;
        w[at] = digests[2 * i];
        w[at + 1] = digests[2 * i + 1];
        return;
      }
    }
    if (++node.memoMisses >= MEMO_GIVE_UP) {
      node.memoMisses = 0;
      node.memoRest = MEMO_REST;
    }
    const out = this.out;
    stringDigest(value, out);
    const i = node.nextText;
    node.nextText = (i + 1) & (TEXT_MEMO - 1);
    texts[i] = value;
    w[at] = digests[2 * i] = out[0];
    w[at + 1] = digests[2 * i + 1] = out[1];
  }

  /** A record's tag and head after its header: t, `a`'s digest, n (`n` the last of them, just read). */
  private recordHead(header: number, t: number, actorLow: number, actorHigh: number, n: number): void {
    const w = this.words;
    w[header] = RECORD;
    w[header + 3] = uintHigh(t);
    w[header + 4] = t | 0;
    w[header + 5] = actorLow;
    w[header + 6] = actorHigh;
    w[header + 7] = uintHigh(n);
    w[header + 8] = n | 0;
    this.used = header + 9;
  }

  /** The digest of the actor id `actor` into `lastActorLow`/`lastActorHigh` (kept while records name the same actor). */
  private actorDigest(actor: string): void {
    if (actor === this.lastActor) return;
    const out = this.out;
    stringDigest(actor, out);
    this.lastActor = actor;
    this.lastActorLow = out[0];
    this.lastActorHigh = out[1];
  }

  /**
   * The object is not a record: its tag, and the members taken so far as a head (`taken` of t,
   * k, a) written as plain members; returns the shape so far.
   */
  private plainHead(header: number, taken: number, t: number, kind: string, actor: string): ShapeNode {
    this.words[header] = OBJECT;
    this.used = header + 3;
    let node = this.objects;
    if (taken > 0) {
      node = this.child(node, 't', false);
      this.number(t);
    }
    if (taken > 1) {
      node = this.child(node, 'k', true);
      this.putString(this.used, kind);
      this.used += 2;
    }
    if (taken > 2) {
      node = this.child(node, 'a', true);
      this.putString(this.used, actor);
      this.used += 2;
    }
    return node;
  }

  /**
   * The shape `node` extended by a key (from the record root: a kind): the trie's child when there
   * is one, a new child while the trie has room, else a node outside the trie with the step computed.
   */
  private child(node: ShapeNode, key: string, stringValued: boolean): ShapeNode {
    const children = node.children;
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (child.key === key && child.stringValued === stringValued) {
        // Move a child found often towards the front (one place per hit): fewer comparisons next time.
        if (i > 0) {
          children[i] = children[i - 1];
          children[i - 1] = child;
        }
        return child;
      }
    }
    const out = this.out;
    stringDigest(key, out);
    if (node === this.records) {
      // A record's root: its kind's digest.
      out[0] ^= RECORD_ROOT_LOW;
      out[1] ^= RECORD_ROOT_HIGH;
    } else shapeStep(node.low, node.high, out[0], out[1], stringValued, out);
    const child = new ShapeNode(key, stringValued, out[0], out[1]);
    if (node.attached && children.length < SHAPE_CHILDREN_MAX && this.shapeNodes < SHAPE_NODES_MAX) {
      children.push(child);
      this.shapeNodes++;
    } else child.attached = false;
    return child;
  }
}
