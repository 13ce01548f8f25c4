/**
 * Who reads which trace records: a trace writer's listeners, each with what it declared it reads
 * (contract/reads.ts: kinds, per kind the ops, a field it must carry), and the lookup that finds a
 * record's readers — one per record, by its kind, or by its shape and `op` for a record written by
 * shape — so that the writer (kernel/trace.ts) makes no object of a record nobody reads.
 *
 * Guarantee: `of` and `ofShaped` list every listener whose declaration the record meets, and no
 * other, in the order they were registered. The lookups keep what they found per kind, op and
 * carried fields present, and per shape and op; what they keep is computed from the declarations
 * alone and dropped when a listener comes, so it can only make a lookup faster, never change its
 * answer. How it fails: a `carrying` that names a record's head field throws (every record has
 * it: the filter would mean nothing), as do listeners carrying more than 16 distinct fields.
 */
import type { RecordShape } from './contract/record-shape.ts';
import type { Reads } from './contract/reads.ts';
import type { TraceRecord } from './contract/record.ts';

/**
 * Receives every record in order (or those it declared it reads), with its canonical line (without
 * the newline). The line is built only for listeners that declare the parameter
 * (`listener.length >= 2`): a run whose listeners read records only never serialises a record it
 * does not write to a file.
 */
export type TraceListener = (record: TraceRecord, line: string) => void;

/**
 * The `op` values kept per kind and per shape: a kind's `op` takes a handful of values (`append`,
 * `replicate`); one whose `op` is data would otherwise grow the lookups with the run. Past it,
 * found per record.
 */
const OPS_KEPT_MAX = 64;

/** A listener and what it reads, as sets. */
class Listening {
  private readonly kinds: ReadonlySet<string> | undefined;
  private readonly ops: ReadonlyMap<string, ReadonlySet<unknown>>;
  readonly carrying: string | undefined;

  constructor(
    readonly listener: TraceListener,
    reads: Reads,
  ) {
    const { kinds, ops = {}, carrying } = reads;
    if (carrying === 't' || carrying === 'k' || carrying === 'a' || carrying === 'n') throw new Error(`a trace listener cannot ask for records carrying ${carrying}: every record has it`);
    this.kinds = kinds === undefined ? undefined : new Set<string>(kinds);
    this.ops = new Map(Object.entries(ops).map(([kind, values]) => [kind, new Set<unknown>(values)]));
    this.carrying = carrying;
  }

  /** Whether it reads some records of kind `kind`. */
  readsKind(kind: string): boolean {
    return this.kinds === undefined || this.kinds.has(kind);
  }

  /** Whether which records of kind `kind` it reads depends on their fields. */
  selects(kind: string): boolean {
    return this.carrying !== undefined || this.ops.has(kind);
  }

  /** Whether it reads a record of kind `kind` (one it `readsKind`) with the fields `fields` (its head may be there or not). */
  reads(kind: string, fields: Readonly<Record<string, unknown>>): boolean {
    const ops = this.ops.get(kind);
    return (ops === undefined || ops.has(fields.op)) && (this.carrying === undefined || fields[this.carrying] !== undefined);
  }
}

/**
 * The fields listeners may carry, in all: a record's readers are kept by which of its kind's
 * carried fields it has, one bit each.
 */
const CARRIED_MAX = 16;

/** The listeners of one kind: `every` when none of them selects by fields (then all read each record), else found by op and carried fields. */
interface KindReaders {
  readonly listening: readonly Listening[];
  readonly every: readonly TraceListener[] | undefined;
  /** The fields its listeners carry: bit `i` of a record's mask says it has `carried[i]`. */
  readonly carried: readonly string[];
  /** The readers found so far, by the record's `op`, then by its mask. */
  readonly byOp: Map<unknown, (readonly TraceListener[] | undefined)[]>;
}

/** The readers of one shape's records: all its kind's, or found by the value of its `op`. */
interface ShapeReaders {
  /** Its kind's `every` (found here without the lookup by kind: one lookup per record, not two). */
  readonly every: readonly TraceListener[] | undefined;
  /** Where `op` is among the shape's values (-1: it has none). */
  readonly opAt: number;
  /** A listener of its kind carries a field the shape has: its readers depend on that value, found per record. */
  readonly perRecord: boolean;
  readonly byOp: Map<unknown, readonly TraceListener[]>;
}

export class TraceReaders {
  private readonly listening: Listening[] = [];
  private readonly byKind = new Map<string, KindReaders>();
  private byShape: (ShapeReaders | undefined)[] = [];

  get size(): number {
    return this.listening.length;
  }

  /** Registers `listener` for the records `reads` declares (every record by default). */
  add(listener: TraceListener, reads: Reads = {}): void {
    const carried = new Set([...this.listening.map((l) => l.carrying), reads.carrying].filter((field) => field !== undefined));
    if (carried.size > CARRIED_MAX) throw new Error(`trace listeners carrying more than ${CARRIED_MAX} distinct fields`);
    this.listening.push(new Listening(listener, reads));
    this.byKind.clear();
    this.byShape = [];
  }

  /** Whether some listener reads some records of kind `kind`. */
  readKind(kind: string): boolean {
    return this.kindReaders(kind).listening.length > 0;
  }

  /** The readers of a record of kind `kind` whose fields are `fields` (the whole record, or its fields without the head). */
  of(kind: string, fields: Readonly<Record<string, unknown>>): readonly TraceListener[] {
    const readers = this.kindReaders(kind);
    if (readers.every !== undefined) return readers.every;
    // Who reads it depends only on its op and on which carried fields it has: found once for each.
    const carried = readers.carried;
    let mask = 0;
    for (let i = 0; i < carried.length; i++) if (fields[carried[i]!] !== undefined) mask |= 1 << i;
    const op = fields.op;
    let byMask = readers.byOp.get(op);
    if (byMask === undefined) {
      byMask = [];
      if (readers.byOp.size < OPS_KEPT_MAX) readers.byOp.set(op, byMask);
    }
    return (byMask[mask] ??= readers.listening.filter((l) => l.reads(kind, fields)).map((l) => l.listener));
  }

  /**
   * The readers of the record `shape` writes with `values` (values of its field types: the writer
   * took its shaped path): found by the shape and its `op`, without the record.
   */
  ofShaped(shape: RecordShape, values: readonly unknown[]): readonly TraceListener[] {
    const entry = this.byShape[shape.id] ?? this.shapeReaders(shape);
    if (entry.every !== undefined) return entry.every;
    const kind = shape.kind;
    if (entry.perRecord) return this.of(kind, shape.recordOf({}, values));
    const op = entry.opAt < 0 ? undefined : values[entry.opAt];
    let listeners = entry.byOp.get(op);
    if (listeners === undefined) {
      // No listener of this kind carries a field of the shape: the op alone decides.
      listeners = this.of(kind, { op });
      if (entry.byOp.size < OPS_KEPT_MAX) entry.byOp.set(op, listeners);
    }
    return listeners;
  }

  private kindReaders(kind: string): KindReaders {
    let readers = this.byKind.get(kind);
    if (readers === undefined) {
      const listening = this.listening.filter((l) => l.readsKind(kind));
      const every = listening.some((l) => l.selects(kind)) ? undefined : listening.map((l) => l.listener);
      const carried = [...new Set(listening.map((l) => l.carrying).filter((field) => field !== undefined))];
      this.byKind.set(kind, (readers = { listening, every, carried, byOp: new Map() }));
    }
    return readers;
  }

  private shapeReaders(shape: RecordShape): ShapeReaders {
    const { listening, every } = this.kindReaders(shape.kind);
    const perRecord = listening.some((l) => l.carrying !== undefined && shape.keys.includes(l.carrying));
    const entry = { every, opAt: shape.keys.indexOf('op'), perRecord, byOp: new Map<unknown, readonly TraceListener[]>() };
    this.byShape[shape.id] = entry;
    return entry;
  }
}
