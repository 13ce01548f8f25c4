/**
 * A pipeline's event ids as small integers, and their readable names (`distribute/detector:17#2`).
 *
 * An id is a number below 2^31 (a V8 small integer: kept in an event, a log batch or a set it
 * costs no string, no allocation and no GC work) derived from the event's content, never from a
 * counter: a replay regenerates the same number. The numbers are cut into *families*, one per
 * lineage — a generating operator (`source`, `account`), or an operator applied to a family of its
 * input stream (a `split` or `map` of family f; a `window` over all of its input's families) —
 * each a range `[base, base + size)` in the order the families are found (operators in file order,
 * then their consumers). Within a family, the *local* number (id − base) is:
 *
 * - generator (k-th event of instance i of P): `k·P + i`, named `<instance>:<k>`;
 * - split piece j of parent p (fanout F): `F·local(p) + j`, named `<op>/<name(p)>#<j>`;
 * - map of parent p: `local(p)`, named `<op>/<name(p)>`;
 * - window result of (scan, key): `(scan·K + key)·S`, named `<op>/<scan>/<key>`, and its preview
 *   at the c-th multiple of `emitEvery`: `(scan·K + key)·S + c`, named `<op>/<scan>/<key>@<count>`
 *   (K the keys its inputs can carry, S one slot for the result and one per preview).
 *
 * So the number alone names its lineage, and the name is rendered from it — only where text is
 * written (trace.jsonl, through `TraceWriter.nameEvents`, and messages) — and parsed back from it
 * where a trace is read (`id`). The families and their sizes come from the operators' kinds and
 * parameters (a generator's events: its `limit`, or its rate over the safety phase, or what its
 * Poisson clock says for that phase) and are written
 * into the trace's `meta` record (`eventIds`), so a reader rebuilds them without the scenario.
 *
 * It lives in the contract, not in the pipeline feature, because the readers of a trace file — the
 * kernel's reader when it re-hashes one, `check`, the viz — rebuild the names from the `meta`
 * record alone, and may import only the contract.
 *
 * Guarantee: two different events of a run never share an id (families are disjoint ranges, and
 * within one the local number is a bijection of what the name spells), the same event always gets
 * the same id (in a replay, on any worker thread), and `id(name(x)) === x`. How it fails: a
 * pipeline whose families do not fit below 2^31 is refused at build (`InputError` naming the
 * operator and the fields that size it — no fallback to text ids); so is one where a `split`,
 * `map` or `window` reads its own outputs back (a cycle of lineages: only accounts, which emit
 * nothing for what they receive, may form a cycle). An event outside its family's range (a
 * generator past the count its rate allows) fails an assertion where it is minted.
 */
import { assert } from './assert.ts';
import { InputError } from './input-error.ts';

/** A family of ids, as written into the trace's `meta` record. */
export interface IdFamily {
  readonly op: string;
  readonly kind: 'generator' | 'split' | 'map' | 'window';
  /** First id of the family. */
  readonly base: number;
  /** Ids in the family. */
  readonly size: number;
  /** split, map: the family of the input event. */
  readonly parent?: number;
  /** generator: the instances' names, by index. */
  readonly instances?: readonly string[];
  /** split: pieces per input. */
  readonly fanout?: number;
  /** window: keys per scan, slots per (scan, key) and inputs between previews. */
  readonly keys?: number;
  readonly slots?: number;
  readonly emitEvery?: number;
}

/** What the families are derived from: a pipeline operator's kind and parameters. */
export interface IdOperator {
  readonly name: string;
  readonly kind: 'source' | 'split' | 'map' | 'window' | 'account';
  readonly parallelism: number;
  readonly from?: string;
  readonly to: string;
  readonly ratePerSec?: number;
  readonly limit?: number;
  /**
   * Generators: the most events one instance generates, when its clock says so better than its
   * `limit` or its rate over the safety phase (Poisson arrivals: counted from its clock).
   */
  readonly events?: number;
  readonly fanout?: number;
  readonly window?: number;
  readonly emitEvery?: number;
}

/** Ids must be V8 small integers on every platform: below 2^31. */
export const ID_LIMIT = 2 ** 31;

/** A family while its size is worked out: the key and root ranges its events can carry. */
interface Draft {
  readonly op: IdOperator;
  readonly parent: number | undefined;
  /** Window: its parents (every family of its input stream). */
  readonly parents: number[];
  size: number;
  keys: number;
  roots: number;
}

export class EventIds {
  private readonly bases: Int32Array;
  /** Per operator: its family by parent family (-1: none), or its one family (generators, windows). */
  private readonly byOp = new Map<string, { readonly children: Int32Array; readonly family: number }>();
  private readonly opNames: readonly string[];

  constructor(readonly families: readonly IdFamily[]) {
    this.bases = Int32Array.from(families, (f) => f.base);
    const names = new Set<string>();
    families.forEach((f, i) => {
      let entry = this.byOp.get(f.op);
      if (entry === undefined) this.byOp.set(f.op, (entry = { children: new Int32Array(families.length).fill(-1), family: i }));
      if (f.parent !== undefined) entry.children[f.parent] = i;
      names.add(f.op);
    });
    // Longest first, so that an operator whose name extends another's is tried before it.
    this.opNames = [...names].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  }

  /** The families of a pipeline's operators (file order): see the header; throws `InputError` when they do not fit. */
  static of(operators: readonly IdOperator[], stopAtUs: number): EventIds {
    return new EventIds(familiesOf(operators, stopAtUs));
  }

  /** The family an id belongs to (binary search over the bases). */
  familyOf(id: number): number {
    const bases = this.bases;
    let lo = 0;
    let hi = bases.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bases[mid]! <= id) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The k-th event of instance `index` of generator `op`. */
  generated(op: string, index: number, k: number): number {
    const f = this.byOp.get(op)!.family;
    const family = this.families[f]!;
    return this.mint(f, k * family.instances!.length + index);
  }

  /** Piece `j` of `parent`, cut by split `op`. */
  piece(op: string, parent: number, j: number, fanout: number): number {
    const p = this.familyOf(parent);
    return this.mint(this.childOf(op, p), (parent - this.bases[p]!) * fanout + j);
  }

  /** `parent` transformed by map `op`. */
  mapped(op: string, parent: number): number {
    const p = this.familyOf(parent);
    return this.mint(this.childOf(op, p), parent - this.bases[p]!);
  }

  /** Window `op`'s result for (scan, key), or (`count` > 0) its preview after `count` inputs. */
  windowed(op: string, scan: number, key: number, count: number): number {
    const f = this.byOp.get(op)!.family;
    const family = this.families[f]!;
    assert(key < family.keys!, () => `${op}: a window's key is below the keys its inputs carry (${family.keys}), but ${key}`);
    return this.mint(f, windowLocal(family, scan, key, count));
  }

  /** The readable name of an id (see the header). */
  name(id: number): string {
    const f = this.familyOf(id);
    const family = this.families[f]!;
    const local = id - family.base;
    switch (family.kind) {
      case 'generator': {
        const instances = family.instances!;
        return `${instances[local % instances.length]}:${Math.floor(local / instances.length)}`;
      }
      case 'split':
        return `${family.op}/${this.name(this.families[family.parent!]!.base + Math.floor(local / family.fanout!))}#${local % family.fanout!}`;
      case 'map':
        return `${family.op}/${this.name(this.families[family.parent!]!.base + local)}`;
      case 'window': {
        const slot = local % family.slots!;
        const cell = Math.floor(local / family.slots!);
        const name = `${family.op}/${Math.floor(cell / family.keys!)}/${cell % family.keys!}`;
        return slot === 0 ? name : `${name}@${slot * family.emitEvery!}`;
      }
    }
  }

  /** The id a name spells, or undefined when it names none of this pipeline's events. */
  id(text: string): number | undefined {
    const colon = text.lastIndexOf(':');
    if (colon > 0 && !text.includes('/', colon)) {
      const k = integer(text.slice(colon + 1));
      const instance = text.slice(0, colon);
      for (let f = 0; f < this.families.length; f++) {
        const family = this.families[f]!;
        const index = family.kind === 'generator' ? family.instances!.indexOf(instance) : -1;
        if (index >= 0 && k !== undefined) return this.within(f, k * family.instances!.length + index);
      }
    }
    for (const op of this.opNames) {
      if (!text.startsWith(op) || text[op.length] !== '/') continue;
      const found = this.idBelow(op, text.slice(op.length + 1));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private idBelow(op: string, rest: string): number | undefined {
    const entry = this.byOp.get(op)!;
    const family = this.families[entry.family]!;
    if (family.kind === 'window') {
      const match = /^(\d+)\/(\d+)(?:@(\d+))?$/.exec(rest);
      if (match === null) return undefined;
      const [scan, key, count] = [Number(match[1]), Number(match[2]), match[3] === undefined ? 0 : Number(match[3])];
      if (key >= family.keys! || (count > 0 && count % family.emitEvery! !== 0) || count / (family.emitEvery ?? 1) >= family.slots!) return undefined;
      return this.within(entry.family, windowLocal(family, scan, key, count));
    }
    if (family.kind === 'generator') return undefined;
    let parentText = rest;
    let j = 0;
    if (family.kind === 'split') {
      const hash = rest.lastIndexOf('#');
      const piece = hash < 0 ? undefined : integer(rest.slice(hash + 1));
      if (piece === undefined || piece >= family.fanout!) return undefined;
      parentText = rest.slice(0, hash);
      j = piece;
    }
    const parent = this.id(parentText);
    if (parent === undefined) return undefined;
    const p = this.familyOf(parent);
    const child = entry.children[p]!;
    if (child < 0) return undefined;
    const local = parent - this.bases[p]!;
    return this.within(child, family.kind === 'split' ? local * this.families[child]!.fanout! + j : local);
  }

  private childOf(op: string, parent: number): number {
    const child = this.byOp.get(op)!.children[parent]!;
    assert(child >= 0, () => `${op}: every family of its input has a child family, but family ${parent} (of ${this.families[parent]?.op}) has none`);
    return child;
  }

  private mint(f: number, local: number): number {
    const family = this.families[f]!;
    assert(local >= 0 && local < family.size, () => `${family.op}: an event id is within its family's ${family.size}, but local number ${local}`);
    return family.base + local;
  }

  private within(f: number, local: number): number | undefined {
    return local >= 0 && local < this.families[f]!.size ? this.families[f]!.base + local : undefined;
  }
}

/** A window's local number for (scan, key), slot 0 its result, slot n its preview after n · emitEvery inputs. */
function windowLocal(family: IdFamily, scan: number, key: number, count: number): number {
  return (scan * family.keys! + key) * family.slots! + (count === 0 ? 0 : count / family.emitEvery!);
}

function integer(text: string): number | undefined {
  return /^(0|[1-9]\d*)$/.test(text) ? Number(text) : undefined;
}

/** Families past this many mean a split, map or window reads back its own outputs. */
const FAMILIES_MAX = 4096;

function familiesOf(operators: readonly IdOperator[], stopAtUs: number): IdFamily[] {
  const drafts: Draft[] = [];
  const byStream = new Map<string, number[]>();
  const into = (stream: string, f: number) => (byStream.get(stream) ?? byStream.set(stream, []).get(stream)!).push(f);
  const windows = new Map<string, number>();
  for (const op of operators) {
    if (op.kind !== 'source' && op.kind !== 'account') continue;
    const perInstance = Math.min(op.limit ?? Infinity, op.events ?? Math.floor(((op.ratePerSec ?? 1) * stopAtUs) / 1e6) + 1);
    drafts.push({ op, parent: undefined, parents: [], size: perInstance * op.parallelism, keys: op.kind === 'account' ? op.parallelism : perInstance, roots: perInstance });
    into(op.to, drafts.length - 1);
  }
  // Children of every family, until no operator finds a family of its input it has not seen.
  const seen = new Map<string, number>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const op of operators) {
      if (op.from === undefined || op.kind === 'source' || op.kind === 'account') continue;
      const inputs = byStream.get(op.from) ?? [];
      // Up to the families known now: an operator writing its own input adds to `inputs` as it goes.
      const end = inputs.length;
      for (let i = seen.get(op.name) ?? 0; i < end; i++) {
        const p = inputs[i]!;
        if (op.kind === 'window') {
          let w = windows.get(op.name);
          if (w === undefined) {
            drafts.push({ op, parent: undefined, parents: [], size: 0, keys: 0, roots: 0 });
            windows.set(op.name, (w = drafts.length - 1));
            into(op.to, w);
          }
          drafts[w]!.parents.push(p);
        } else {
          drafts.push({ op, parent: p, parents: [p], size: 0, keys: 0, roots: 0 });
          into(op.to, drafts.length - 1);
        }
        changed = true;
      }
      seen.set(op.name, end);
      if (drafts.length > FAMILIES_MAX) throw new InputError(`pipeline: operator "${op.name}" (${op.kind}) reads back its own outputs through stream "${op.from}"; event ids name an event by its lineage, so only accounts may form a cycle`);
    }
  }
  const sized = new Set<number>();
  const size = (f: number, path: readonly number[]): void => {
    if (sized.has(f)) return;
    const d = drafts[f]!;
    if (path.includes(f)) throw new InputError(`pipeline: operator "${d.op.name}" (${d.op.kind}) reads back its own outputs through stream "${d.op.from}"; event ids name an event by its lineage, so only accounts may form a cycle`);
    for (const p of d.parents) size(p, [...path, f]);
    if (d.op.kind === 'split') {
      const parent = drafts[d.parent!]!;
      const fanout = d.op.fanout ?? 1;
      [d.size, d.keys, d.roots] = [parent.size * fanout, fanout, parent.roots];
    } else if (d.op.kind === 'map') {
      const parent = drafts[d.parent!]!;
      [d.size, d.keys, d.roots] = [parent.size, parent.keys, parent.roots];
    } else if (d.op.kind === 'window') {
      const windowSize = d.op.window ?? 1;
      const keys = Math.max(1, ...d.parents.map((p) => drafts[p]!.keys));
      const roots = Math.max(1, ...d.parents.map((p) => drafts[p]!.roots));
      const scans = Math.ceil(roots / windowSize);
      [d.size, d.keys, d.roots] = [scans * keys * slotsOf(d.op), keys, scans * windowSize];
    }
    sized.add(f);
  };
  drafts.forEach((_, f) => size(f, []));
  let base = 0;
  return drafts.map((d, f) => {
    const family = familyOf(d, base);
    base += d.size;
    if (base > ID_LIMIT) throw new InputError(tooMany(d, f, drafts));
    return family;
  });
}

function slotsOf(op: IdOperator): number {
  const emitEvery = op.emitEvery ?? 0;
  return emitEvery > 0 ? Math.floor(((op.window ?? 1) - 1) / emitEvery) + 1 : 1;
}

function familyOf(d: Draft, base: number): IdFamily {
  const { op } = d;
  switch (op.kind) {
    case 'source':
    case 'account':
      return { op: op.name, kind: 'generator', base, size: d.size, instances: Array.from({ length: op.parallelism }, (_, i) => (op.parallelism === 1 ? op.name : `${op.name}-${i + 1}`)) };
    case 'split':
      return { op: op.name, kind: 'split', base, size: d.size, parent: d.parent!, fanout: op.fanout ?? 1 };
    case 'map':
      return { op: op.name, kind: 'map', base, size: d.size, parent: d.parent! };
    case 'window':
      return { op: op.name, kind: 'window', base, size: d.size, keys: d.keys, slots: slotsOf(op), emitEvery: op.emitEvery ?? 0 };
  }
}

function tooMany(d: Draft, f: number, drafts: readonly Draft[]): string {
  const generators = drafts.filter((g) => g.op.kind === 'source' || g.op.kind === 'account').map((g) => `"${g.op.name}" (${g.op.limit !== undefined ? `limit ${g.op.limit}` : `rate ${g.op.ratePerSec ?? 1}/s over the duration`} × parallelism ${g.op.parallelism})`);
  return (
    `pipeline: operator "${d.op.name}" (${d.op.kind}${d.op.fanout !== undefined ? `, fanout ${d.op.fanout}` : ''}${d.op.window !== undefined ? `, window ${d.op.window}` : ''}) brings the pipeline's event ids (family ${f + 1}) past 2^31; ` +
    `they are sized by the generators' events — ${generators.join(', ')} — and each split's fanout: lower a fanout, a rate, a limit or the duration`
  );
}
