/**
 * An exact set of event ids — a pipeline's numbers (kernel/contract/event-ids.ts), kept as bits —
 * and text ids, compact for those made of a fixed text around one counter — as the
 * pipeline's ids read in a trace file (`detector-1:17`, `distribute/detector-1:17#2`) and the alert producer its alerts (`<producer>-v3-9125`; log/actors/bursts.ts) — for the metrics that
 * remember every id they saw: the recovery metric (every id each operator instance processed) and
 * the alert metric (every alert acknowledged: 250,000 in scenarios/astronomy-alerts.yaml). A `Set`
 * of strings hashed every id and held a table entry per id (≈ 3 % of an x-ray hour).
 *
 * Each id is split at its longest run of decimal digits (the last of equally long ones) into a
 * *family* (the text before and after the run) and a number; a family keeps its numbers as bits in
 * pages of `PAGE_BITS`. The split is a function of the id alone, and the number's digits are
 * exactly its decimal form (a run with a leading zero, or longer than 15 digits, does not split:
 * such an id is kept whole in a plain `Set`), so two ids share family and number only if they are
 * equal — the set is exact for any strings, only more compact for counters.
 *
 * Speed: the last family used is tried first, by comparing its text at both ends of the id (and
 * checking that the digits between are still the longest run): an instance's ids mostly come from
 * one family. Otherwise the family is found in a `Map` by a key built from its text.
 *
 * Memory: one bit per number per family, in pages only where numbers fall (a family whose numbers
 * are scattered costs a page each: `PAGE_BITS / 8` bytes per id at worst).
 */

/** Bits per page of a family's numbers. */
const PAGE_BITS = 4096;
/** Longest digit run taken as a number: 15 digits are always a safe integer. */
const MAX_DIGITS = 15;

const ZERO = 48;
const NINE = 57;

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

/** The numbers of one family: bit pages by page index, and the page used last. */
class Family {
  private readonly pages = new Map<number, Int32Array>();
  private lastIndex = -1;
  private lastPage: Int32Array | undefined;

  constructor(
    readonly before: string,
    readonly after: string,
    /** The longest digit runs in `before` and `after`: an id's own run must be at least as long as the first and longer than the second (the last of equally long runs is the one split at). */
    readonly longestBefore: number,
    readonly longestAfter: number,
  ) {}

  /** Adds `n`; false if it was there. */
  add(n: number): boolean {
    const index = Math.floor(n / PAGE_BITS);
    let page = this.lastPage;
    if (index !== this.lastIndex) {
      page = this.pages.get(index);
      if (page === undefined) this.pages.set(index, (page = new Int32Array(PAGE_BITS / 32)));
      this.lastIndex = index;
      this.lastPage = page;
    }
    const bit = n - index * PAGE_BITS;
    const mask = 1 << (bit & 31);
    const word = page![bit >>> 5]!;
    if ((word & mask) !== 0) return false;
    page![bit >>> 5] = word | mask;
    return true;
  }
}

/** The longest run of digits in `text` from `from` to `to` (exclusive). */
function longestRun(text: string, from: number, to: number): number {
  let longest = 0;
  let run = 0;
  for (let i = from; i < to; i++) {
    run = isDigit(text.charCodeAt(i)) ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/**
 * Whether `text` holds `part` from `at` on (the caller has checked the lengths), code unit by code
 * unit: `startsWith` and `endsWith` cost ≈ 1,500 instructions more per id than this loop on the
 * pipeline's ids (an hour of aps-xray's 182,397 `state` ids, callgrind: bench/README.md, "Session 19 — ids").
 */
function sameAt(text: string, at: number, part: string): boolean {
  for (let i = 0; i < part.length; i++) if (text.charCodeAt(at + i) !== part.charCodeAt(i)) return false;
  return true;
}

export class IdSet {
  private readonly families = new Map<string, Family>();
  /** Ids whose longest digit run is not a number as written (a leading zero, too long) or that have none. */
  private readonly whole = new Set<string>();
  private last: Family | undefined;
  /** Numeric ids (a pipeline's, kernel/contract/event-ids.ts: whole numbers below 2^31), as one family's numbers. */
  private numbers: Family | undefined;

  /** Adds `id`; false if it was there. A number is never equal to a text id. */
  add(id: string | number): boolean {
    if (typeof id === 'number') {
      if (!Number.isSafeInteger(id) || id < 0) throw new Error(`a numeric event id is a whole number ≥ 0, but ${id}`);
      return (this.numbers ??= new Family('', '', 0, 0)).add(id);
    }
    const last = this.last;
    if (last !== undefined) {
      const n = this.numberIn(last, id);
      if (n >= 0) return last.add(n);
    }
    return this.addSlow(id);
  }

  /** The number `id` holds as a member of `family`, or -1 if it is not one. */
  private numberIn(family: Family, id: string): number {
    const start = family.before.length;
    const end = id.length - family.after.length;
    const digits = end - start;
    if (digits <= 0 || digits > MAX_DIGITS || digits < family.longestBefore || digits <= family.longestAfter) return -1;
    if (!sameAt(id, 0, family.before) || !sameAt(id, end, family.after)) return -1;
    let n = 0;
    for (let i = start; i < end; i++) {
      const code = id.charCodeAt(i);
      if (!isDigit(code)) return -1;
      n = n * 10 + (code - ZERO);
    }
    // A leading zero: the digits are not the number's decimal form.
    if (digits > 1 && id.charCodeAt(start) === ZERO) return -1;
    return n;
  }

  private addSlow(id: string): boolean {
    // The longest digit run, the last of equally long ones.
    let start = -1;
    let length = 0;
    for (let i = 0; i < id.length; ) {
      if (!isDigit(id.charCodeAt(i))) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < id.length && isDigit(id.charCodeAt(j))) j++;
      if (j - i >= length) {
        start = i;
        length = j - i;
      }
      i = j;
    }
    if (start < 0 || length > MAX_DIGITS || (length > 1 && id.charCodeAt(start) === ZERO)) {
      const before = this.whole.size;
      this.whole.add(id);
      return this.whole.size !== before;
    }
    const before = id.slice(0, start);
    const after = id.slice(start + length);
    // The length of `before` makes the key unambiguous whatever the two texts hold.
    const key = `${before.length}:${before}${after}`;
    let family = this.families.get(key);
    if (family === undefined) this.families.set(key, (family = new Family(before, after, longestRun(id, 0, start), longestRun(id, start + length, id.length))));
    this.last = family;
    return family.add(Number(id.slice(start, start + length)));
  }
}
