/**
 * The trace hash, format 3: a 64-bit digest of every record, computed from the records' values
 * rather than from their text, so that a run need not serialise a record it does not write to a
 * file, and the digest is pure JavaScript (no `node:crypto`: the kernel runs in a browser too).
 *
 * Each record is encoded as a sequence of 32-bit words and digested to 64 bits by two 32-bit
 * lanes that take the words two at a time, one multiply and one cross xorshift per word
 * (`digestWords`), and a last mixing of the lanes. The trace hash folds the record digests, in
 * trace order, into two 64-bit chains by one multiply–xorshift step each (`TraceHasher.fold`) and
 * finishes each chain with the record count: 32 hexadecimal digits. Every step of the digest and
 * of the fold is a bijection of its state for given input, so records of one length that differ
 * in one word, and traces that differ in one record's digest, always hash apart. A parallel run's
 * threads digest their own records and the merge folds the digests in the single-thread order, so
 * the hash is the same for any number of threads. (Format 2 ran MurmurHash3 x86-128 over the
 * same words and over 128-bit record digests: about twice the work, for a chance of two records
 * colliding of 2^-128 instead of 2^-64 — more than telling runs apart needs.)
 *
 * The encoding is a function of the record's JSON value — what `JSON.stringify` writes: keys in
 * order, `undefined` and functions left out of objects and `null` in arrays, non-finite numbers as
 * `null`, `-0` as `0`, `toJSON` honoured — so a record and its line parsed back digest alike.
 * Word by word: an object is OBJECT, then key and value for each kept key, then END; an array is
 * ARRAY, its items, END; a string of one code unit is `CHAR << 24 | unit`, a longer one
 * `STRING << 24 | length` (length < 2^24; longer ones add a word with the full length after
 * `STRING << 24 | 0xffffff`), then its UTF-16 code units two per word (low unit in the low half);
 * a non-negative safe integer is `UINT << 24 | high 21 bits` and its low 32 bits, any other
 * number NUMBER and its float64 bits (low word, high word); true, false and null are one tag each.
 *
 * The three kinds written once or twice per event have a short form instead, used exactly when a
 * record has their shape — own keys `t, k, a, n, to, msg, bytes` (send), `t, k, a, n, from, msg, s`
 * (recv) or `t, k, a, n, name` (timer), in that order, `k` the kind, the others strings where
 * named so and finite numbers elsewhere: the kind's tag, the numbers, then each string as its own
 * 64-bit digest (low word, high word). A writer keeps the digests of the strings it sees again and
 * again (actor ids, message types, timer names), so such a record costs a dozen words and no
 * string scan. The writers' own entry points (`digestSend`, `digestRecv`, `digestTimer`) go further
 * when the numbers are non-negative safe integers (the words' layout is then fixed): they run the
 * lanes over those words in registers, without writing them to a buffer, the first step (tag and
 * length) done in advance. Same words, same digest: a way of computing the format, not a change of it.
 *
 * Guarantee: equal records (as JSON values) give equal digests, on any platform, whichever path
 * wrote them (test/kernel/trace-hash.test.ts compares the hot paths with the generic one, lines
 * parsed back, and both with a plain transcription of this definition). Not cryptographic: two
 * different records collide with probability about 2^-64, and a crafted collision is easy. How it
 * fails: a value JSON cannot write (a BigInt, a cycle) throws, as `JSON.stringify` would.
 */

const OBJECT = 1;
const ARRAY = 2;
const STRING = 3;
const NUMBER = 4;
const TRUE = 5;
const FALSE = 6;
const NULL = 7;
const END = 8;
const CHAR = 9;
const UINT = 10;
const HOT_SEND = 11;
const HOT_RECV = 12;
const HOT_TIMER = 13;

const LONG = 0xffffff;
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

/** Lane `a` after its first word, `first`, in a record of `count` words (a constant for the hot kinds). */
function firstA(count: number, first: number): number {
  const a = Math.imul(SEED_A ^ count ^ first, P1);
  return a ^ (a >>> 15);
}

/**
 * The record digest of `count` words of `words` (format 3): two 32-bit lanes, `a` starting at
 * `SEED_A ^ count` and taking the even-numbered words, `b` starting at `SEED_B` and taking the odd
 * ones, each word by `lane = (lane ^ word)·P; lane ^= lane >>> 15` (P1 for `a`, P2 for `b`), then
 * `finish64`. The lanes are independent until the finish, so a processor runs them side by side.
 * Every step is a bijection of its lane for a given word, so two word sequences of one length that
 * differ in one word always digest apart. Left in `out[0..1]`.
 */
export function digestWords(words: Int32Array, count: number, out: Int32Array): void {
  let a = SEED_A ^ count;
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
  finish64(a, b, out);
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

/** The 32 hex digits of a trace hash: its four words as little-endian bytes, in order. */
export function hex(d1: number, d2: number, d3: number, d4: number): string {
  let out = '';
  for (const word of [d1, d2, d3, d4]) {
    for (let byte = 0; byte < 4; byte++) out += ((word >>> (8 * byte)) & 0xff).toString(16).padStart(2, '0');
  }
  return out;
}

/** Strings whose digests a hasher keeps besides the interned ones (message types, timer names); past it, they are digested each time. */
const CACHED_STRINGS_MAX = 4096;

/** The slot of a string digested just now, outside the table (the cache was full). */
const SCRATCH = -1;

/** Lane `a` after the first word of the hot kinds' register form (13 words for send and recv, 9 for a timer). */
const HOT_SEND_A = firstA(13, HOT_SEND);
const HOT_RECV_A = firstA(13, HOT_RECV);
const HOT_TIMER_A = firstA(9, HOT_TIMER);

/** Words per slot of the string table: the string's 64-bit digest (low, high). */
const DIGEST_STRIDE = 2;

/** The hot kinds' memo entries (`TraceHasher.namedSlot`). */
const SEND_SITE = 0;
const RECV_SITE = 1;
const TIMER_SITE = 2;

const SEND_KEYS = ['t', 'k', 'a', 'n', 'to', 'msg', 'bytes'];
const RECV_KEYS = ['t', 'k', 'a', 'n', 'from', 'msg', 's'];
const TIMER_KEYS = ['t', 'k', 'a', 'n', 'name'];

function sameKeys(keys: readonly string[], expected: readonly string[]): boolean {
  if (keys.length !== expected.length) return false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== expected[i]) return false;
  return true;
}

/**
 * Encodes records into record digests (left in `d1`–`d4`) and folds digests into the trace's hash
 * (`fold`, `hex`). One per trace writer, or per thread of a parallel run.
 */
export class TraceHasher {
  /** The record being encoded: `used` words of `words` (grown for long strings). */
  private words = new Int32Array(1024);
  private used = 0;
  private readonly out = new Int32Array(2);
  /** The trace hash's state: two 64-bit chains (`h1, h2` and `h3, h4`) over the `folded` record digests. */
  private h1 = RUN_SEED_1;
  private h2 = RUN_SEED_2;
  private h3 = RUN_SEED_3;
  private h4 = RUN_SEED_4;
  private folded = 0;
  /** String table: interned strings (`intern`) and cached ones, with their 64-bit digests, by slot. */
  private readonly slots = new Map<string, number>();
  private readonly strings: string[] = [];
  /** Per slot, `DIGEST_STRIDE` words: the string's 64-bit digest (low, high). */
  private digests = new Int32Array(DIGEST_STRIDE * 256);
  private cached = 0;
  // The message type or timer name each hot kind (SEND_SITE…) named last, and its slot: a run
  // names few of them, often the same one many times in a row, and a hit skips the table lookup.
  // A string digested afresh (`SCRATCH`, the cache being full) is not remembered: that slot is
  // another string's next.
  private readonly lastNamed: (string | undefined)[] = [undefined, undefined, undefined];
  private readonly lastSlots = new Int32Array(3);
  private scratchLow = 0;
  private scratchHigh = 0;
  /** The last record's digest (low word, high word). */
  d1 = 0;
  d2 = 0;

  /** Digests any record (a JSON value): the definition, and the path of every kind but the hot ones' writers. */
  digest(record: object): void {
    const r = record as Record<string, unknown>;
    const k = r.k;
    if ((k === 'send' || k === 'recv' || k === 'timer') && this.digestHotShape(r, k)) return;
    this.used = 0;
    this.value(record, '');
    this.end();
  }

  /**
   * A slot for a string the writer will name again and again (an actor id): its digest is kept for
   * the run, so hot records naming it cost two words. The table grows with the strings interned.
   */
  intern(text: string): number {
    let slot = this.slots.get(text);
    if (slot === undefined) {
      slot = this.strings.length;
      this.slots.set(text, slot);
      this.strings.push(text);
      this.stringDigest(text);
      if (DIGEST_STRIDE * (slot + 1) > this.digests.length) {
        const grown = new Int32Array(2 * this.digests.length);
        grown.set(this.digests);
        this.digests = grown;
      }
      const d = this.digests;
      const at = DIGEST_STRIDE * slot;
      d[at] = this.d1;
      d[at + 1] = this.d2;
    }
    return slot;
  }

  /** The string in a slot. */
  stringAt(slot: number): string {
    return this.strings[slot];
  }

  /**
   * `{t, k: 'send', a, n, to, msg, bytes}` with `a` and `to` interned: its digest, as `digest`
   * would. The numbers must be finite (the caller checks: other records take `digest`).
   */
  digestSend(t: number, a: number, n: number, to: number, msg: string, bytes: number): void {
    // The message type first: digesting a string not seen before reuses the word buffer.
    const type = this.namedSlot(SEND_SITE, msg);
    if (type !== SCRATCH && isUint(t) && isUint(n) && isUint(bytes)) return this.hot13(HOT_SEND_A, t, n, bytes, a, to, type);
    const d = this.digests;
    const [as, os] = [DIGEST_STRIDE * a, DIGEST_STRIDE * to];
    this.hot(HOT_SEND, t, n, bytes, d[as], d[as + 1], d[os], d[os + 1], this.lowOf(type), this.highOf(type));
  }

  /** `{t, k: 'recv', a, n, from, msg, s}` with `a` and `from` interned. */
  digestRecv(t: number, a: number, n: number, from: number, msg: string, s: number): void {
    const type = this.namedSlot(RECV_SITE, msg);
    if (type !== SCRATCH && isUint(t) && isUint(n) && isUint(s)) return this.hot13(HOT_RECV_A, t, n, s, a, from, type);
    const d = this.digests;
    const [as, fs] = [DIGEST_STRIDE * a, DIGEST_STRIDE * from];
    this.hot(HOT_RECV, t, n, s, d[as], d[as + 1], d[fs], d[fs + 1], this.lowOf(type), this.highOf(type));
  }

  /** `{t, k: 'timer', a, n, name}` with `a` interned. */
  digestTimer(t: number, a: number, n: number, name: string): void {
    const named = this.namedSlot(TIMER_SITE, name);
    if (named !== SCRATCH && isUint(t) && isUint(n)) return this.hot9(t, n, a, named);
    const d = this.digests;
    const as = DIGEST_STRIDE * a;
    this.hot(HOT_TIMER, t, n, -1, d[as], d[as + 1], this.lowOf(named), this.highOf(named), 0, 0);
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

  // --- the short form of the hot kinds ---

  /** A record of kind send, recv or timer with its kind's shape, in the short form; false if it has another shape. */
  private digestHotShape(r: Record<string, unknown>, k: 'send' | 'recv' | 'timer'): boolean {
    const { t, a, n } = r;
    // Finite numbers only: JSON writes the others as null, and the line read back must digest alike.
    if (!Number.isFinite(t) || typeof a !== 'string' || !Number.isFinite(n)) return false;
    const keys = Object.keys(r);
    if (k === 'timer') {
      const name = r.name;
      if (!sameKeys(keys, TIMER_KEYS) || typeof name !== 'string') return false;
      const sa = this.cachedSlot(a);
      const [aLo, aHi] = [this.lowOf(sa), this.highOf(sa)];
      const sn = this.cachedSlot(name);
      this.hot(HOT_TIMER, t as number, n as number, -1, aLo, aHi, this.lowOf(sn), this.highOf(sn), 0, 0);
      return true;
    }
    const other = k === 'send' ? r.to : r.from;
    const number = k === 'send' ? r.bytes : r.s;
    const msg = r.msg;
    if (!sameKeys(keys, k === 'send' ? SEND_KEYS : RECV_KEYS) || typeof other !== 'string' || typeof msg !== 'string' || !Number.isFinite(number)) return false;
    // Each digest read before the next lookup, which may reuse the scratch slot.
    const sa = this.cachedSlot(a);
    const [aLo, aHi] = [this.lowOf(sa), this.highOf(sa)];
    const so = this.cachedSlot(other);
    const [oLo, oHi] = [this.lowOf(so), this.highOf(so)];
    const sm = this.cachedSlot(msg);
    this.hot(k === 'send' ? HOT_SEND : HOT_RECV, t as number, n as number, number as number, aLo, aHi, oLo, oHi, this.lowOf(sm), this.highOf(sm));
    return true;
  }

  /**
   * The short form: the tag, `t`, `n`, the kind's number (none for a timer: -1, which no short
   * form can otherwise hold there, since it writes nothing), then the string digests (a timer has two).
   */
  private hot(tag: number, t: number, n: number, x: number, s1: number, s2: number, s3: number, s4: number, s5: number, s6: number): void {
    const w = this.words;
    w[0] = tag;
    let at = this.putNumber(1, t);
    at = this.putNumber(at, n);
    if (tag !== HOT_TIMER) at = this.putNumber(at, x);
    w[at++] = s1;
    w[at++] = s2;
    w[at++] = s3;
    w[at++] = s4;
    if (tag !== HOT_TIMER) {
      w[at++] = s5;
      w[at++] = s6;
    }
    this.finishRecord(at);
  }

  /**
   * The short form of a send or recv whose three numbers are non-negative safe integers and whose
   * strings are in the table, digested without the word buffer: the 13 words `hot` would write —
   * tag, t, n, x (high word, low word each), then the digests of `a`, the other actor and the type
   * (low, high) — in the lanes where `digestWords` takes them: even words (tag, the numbers' low
   * words, the digests' high words) in `a`, whose first step is done in advance (`aFirst`), odd
   * ones in `b`. Same digest as `hot`, by construction and by test.
   */
  private hot13(aFirst: number, t: number, n: number, x: number, a: number, other: number, type: number): void {
    const d = this.digests;
    const as = DIGEST_STRIDE * a;
    const os = DIGEST_STRIDE * other;
    const ms = DIGEST_STRIDE * type;
    let h = Math.imul(aFirst ^ (t | 0), P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ (n | 0), P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ (x | 0), P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ d[as + 1], P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ d[os + 1], P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ d[ms + 1], P1);
    h ^= h >>> 15;
    let b = Math.imul(SEED_B ^ uintHigh(t), P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ uintHigh(n), P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ uintHigh(x), P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ d[as], P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ d[os], P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ d[ms], P2);
    b ^= b >>> 15;
    this.finish(h, b);
  }

  /** The timer's short form (9 words: tag, t, n, `a`'s digest, the name's), as `hot13`. */
  private hot9(t: number, n: number, a: number, named: number): void {
    const d = this.digests;
    const as = DIGEST_STRIDE * a;
    const ns = DIGEST_STRIDE * named;
    let h = Math.imul(HOT_TIMER_A ^ (t | 0), P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ (n | 0), P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ d[as + 1], P1);
    h ^= h >>> 15;
    h = Math.imul(h ^ d[ns + 1], P1);
    h ^= h >>> 15;
    let b = Math.imul(SEED_B ^ uintHigh(t), P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ uintHigh(n), P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ d[as], P2);
    b ^= b >>> 15;
    b = Math.imul(b ^ d[ns], P2);
    b ^= b >>> 15;
    this.finish(h, b);
  }

  /** The record's digest from its lanes (`finish64`), left in `d1`, `d2`. */
  private finish(a: number, b: number): void {
    const out = this.out;
    finish64(a, b, out);
    this.d1 = out[0];
    this.d2 = out[1];
  }

  /**
   * A slot for a string seen in a hot record: the interned or cached one, or a new cached one; once
   * the cache is full, `SCRATCH`, with the string digested afresh (read it before the next lookup).
   */
  private cachedSlot(text: string): number {
    const slot = this.slots.get(text);
    if (slot !== undefined) return slot;
    if (this.cached < CACHED_STRINGS_MAX) {
      this.cached++;
      return this.intern(text);
    }
    this.stringDigest(text);
    this.scratchLow = this.d1;
    this.scratchHigh = this.d2;
    return SCRATCH;
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

  /** The 64-bit digest of a string (its generic encoding, hashed), left in `d1` and `d2`. */
  private stringDigest(text: string): void {
    this.used = 0;
    this.text(text);
    this.end();
  }

  /** A string's words from `at` (room reserved); returns where the next word goes. */
  private put(at: number, s: string): number {
    const w = this.words;
    const length = s.length;
    if (length === 1) {
      w[at++] = (CHAR << 24) | s.charCodeAt(0);
      return at;
    }
    if (length < LONG) w[at++] = (STRING << 24) | length;
    else {
      w[at++] = (STRING << 24) | LONG;
      w[at++] = length;
    }
    let i = 0;
    for (; i + 1 < length; i += 2) w[at++] = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    if (i < length) w[at++] = s.charCodeAt(i);
    return at;
  }

  /** A number's words from `at` (room reserved); returns where the next word goes. */
  private putNumber(at: number, x: number): number {
    const w = this.words;
    if (x >= 0 && x <= Number.MAX_SAFE_INTEGER && Math.floor(x) === x) {
      // -0 passes too, and writes as 0, as JSON writes it.
      if (x < TWO_32) {
        w[at++] = UINT << 24;
        w[at++] = x | 0;
      } else {
        const high = Math.floor(x / TWO_32);
        w[at++] = (UINT << 24) | high;
        w[at++] = (x - high * TWO_32) | 0;
      }
      return at;
    }
    if (!Number.isFinite(x)) {
      w[at++] = NULL;
      return at;
    }
    scratch[0] = x;
    w[at++] = NUMBER;
    w[at++] = scratchWords[0];
    w[at++] = scratchWords[1];
    return at;
  }

  /** Makes room for `words` more words past the `used` ones (with a little to spare for string headers). */
  private reserve(words: number): void {
    if (this.used + words + 8 > this.words.length) this.grow(words + 8);
  }

  private finishRecord(used: number): void {
    this.used = used;
    this.end();
  }

  private end(): void {
    const out = this.out;
    digestWords(this.words, this.used, out);
    this.d1 = out[0];
    this.d2 = out[1];
  }

  private word(w: number): void {
    if (this.used === this.words.length) this.grow(1);
    this.words[this.used++] = w;
  }

  private grow(more: number): void {
    const next = new Int32Array(Math.max(this.words.length * 2, this.used + more));
    next.set(this.words);
    this.words = next;
  }

  private text(s: string): void {
    this.reserve(2 + ((s.length + 1) >> 1));
    this.used = this.put(this.used, s);
  }

  private number(x: number): void {
    this.reserve(3);
    this.used = this.putNumber(this.used, x);
  }

  /** A JSON value as `JSON.stringify(holder[key])` would write it; `key` is for `toJSON`. */
  private value(value: unknown, key: string | number): void {
    if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      value = (value as { toJSON: (key: string) => unknown }).toJSON(String(key));
    }
    switch (typeof value) {
      case 'string':
        this.text(value);
        return;
      case 'number':
        this.number(value);
        return;
      case 'boolean':
        this.word(value ? TRUE : FALSE);
        return;
      case 'bigint':
        throw new TypeError('Do not know how to serialize a BigInt');
      case 'object':
        if (value === null) this.word(NULL);
        else if (Array.isArray(value)) this.array(value);
        else this.object(value as Record<string, unknown>);
        return;
      default:
        // undefined, a function or a symbol where a value must be: JSON writes null.
        this.word(NULL);
    }
  }

  private array(items: readonly unknown[]): void {
    this.word(ARRAY);
    for (let i = 0; i < items.length; i++) this.value(items[i], i);
    this.word(END);
  }

  private object(object: Record<string, unknown>): void {
    this.word(OBJECT);
    const proto = Object.getPrototypeOf(object) as unknown;
    if (proto === Object.prototype || proto === null) {
      // A plain object inherits no enumerable key, so `for…in` lists its own ones, in their order —
      // and lets V8 read each value through the enumeration cache.
      for (const key in object) this.member(key, object[key]);
    } else {
      for (const key of Object.keys(object)) this.member(key, object[key]);
    }
    this.word(END);
  }

  /** One key and value of an object, unless JSON leaves the key out. */
  private member(key: string, value: unknown): void {
    const type = typeof value;
    if (type === 'undefined' || type === 'function' || type === 'symbol') return;
    this.text(key);
    this.value(value, key);
  }
}
