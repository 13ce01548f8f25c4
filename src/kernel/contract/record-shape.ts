/**
 * A record shape: a record kind an actor writes often with the same fields (a replica's `hw`, a
 * disk's `append`), declared once at module level and written through `ctx.recordShaped(shape,
 * values)` with the fields' values by position — the record `ctx.record(shape.kind, fields)` would
 * write, made into a fields object only when someone reads it. The kernel digests such a record
 * from its values (kernel/trace-hash.ts, `digestShaped`), without a fields object or a walk of its
 * shape trie: same words, same digest, same line as the generic path's.
 *
 * Each field has a type: `string` (a string value), `number` (a number) or `json` (any other JSON
 * value — an array, a boolean, null, a plain object — but never a string). A value that does not
 * fit its field (of another type, or `undefined`: the field is then left out, as JSON leaves it)
 * makes the kernel write that one record by the generic path: the record is the same either way,
 * only slower to digest.
 *
 * Guarantee: a shape's record is the head `{t, k, a, n}` then its fields in the declared order,
 * each value as given. How it fails: a field named `t`, `k`, `a` or `n`, one that begins with a
 * digit (JavaScript would list it first) or `__proto__` throws at the declaration.
 */
import type { RecordKind } from './record.ts';

/** A shape's field type (see the header): which values the shape's fast path takes for it. */
export type ShapeFieldType = 'string' | 'number' | 'json';

/** A field's value type in `recordShaped`'s positional values. */
type ValueOf<T extends ShapeFieldType> = T extends 'string' ? string : T extends 'number' ? number : unknown;

/** The positional values of a shape declared with `fields`, each optional (`undefined` leaves the field out). */
export type ShapeValues<F extends readonly (readonly [string, ShapeFieldType])[]> = {
  readonly [I in keyof F]: F[I] extends readonly [string, infer T extends ShapeFieldType] ? ValueOf<T> | undefined : never;
};

/** Shapes declared so far in this thread: each shape's number, for the kernel's per-trace caches. */
let declared = 0;

export class RecordShape<V extends readonly unknown[] = readonly unknown[]> {
  /** This shape's number among the shapes declared in this thread (from 0): what caches index by. */
  readonly id = declared++;
  readonly keys: readonly string[];
  readonly types: readonly ShapeFieldType[];
  /** Never set: carries the values' type for `recordShaped`. */
  declare readonly values?: V;

  constructor(
    readonly kind: RecordKind,
    fields: readonly (readonly [string, ShapeFieldType])[],
  ) {
    for (const [key] of fields) {
      const first = key.charCodeAt(0);
      if (key === 't' || key === 'k' || key === 'a' || key === 'n' || (first >= 48 && first <= 57) || key === '__proto__') throw new Error(`trace field name ${key} cannot be in a record shape`);
    }
    this.keys = fields.map(([key]) => key);
    this.types = fields.map(([, type]) => type);
  }

  /** The record `head` with the fields `values` copied into it, in order (a value `undefined` left out, as JSON leaves it). */
  recordOf<R extends Record<string, unknown>>(head: R, values: readonly unknown[]): R {
    const record: Record<string, unknown> = head;
    for (let i = 0; i < this.keys.length; i++) if (values[i] !== undefined) record[this.keys[i]!] = values[i];
    return head;
  }
}

/**
 * Declares a record shape: records of kind `kind` with the fields `fields`, in order, each with
 * its type. Declare it once, at module level; the values' types follow from the declaration:
 *
 *   const HW = recordShape('log', [['op', 'string'], ['topic', 'string'], ['offset', 'number']]);
 *   ctx.recordShaped(HW, ['hw', topic, offset]);
 */
export function recordShape<const F extends readonly (readonly [string, ShapeFieldType])[]>(kind: RecordKind, fields: F): RecordShape<ShapeValues<F>> {
  return new RecordShape<ShapeValues<F>>(kind, fields);
}
