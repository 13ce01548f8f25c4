/**
 * Walks the scenario's zod schema along a field path, on the input side, to answer "which keys
 * are allowed here?" for unknown-key suggestions and `--set` paths.
 *
 * Guarantee: the allowed keys come from the schema itself, never from a hand-written list, so
 * a field added to the schema is suggested at once. Wrappers that do not change what the user
 * writes (optional, default, prefault, transforms, …) are looked through. Discriminated unions
 * (`services`, `faults`) pick their option from the value's discriminator when it names one.
 *
 * Failure: returns `undefined` where the path leaves the schema; it never throws.
 */
import type * as z from 'zod';

type Schema = z.core.$ZodType;
export type Shape =
  | { readonly kind: 'object'; readonly keys: readonly string[]; child(key: string): Schema | undefined }
  | { readonly kind: 'record'; readonly value: Schema }
  | { readonly kind: 'array'; child(index: number): Schema | undefined }
  | { readonly kind: 'value' };

/** The schema under the wrappers that leave the written input unchanged. */
function unwrap(schema: Schema): z.core.$ZodTypes {
  let current = schema as z.core.$ZodTypes;
  for (;;) {
    const def = current._zod.def;
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'nonoptional':
      case 'readonly':
      case 'catch':
        current = def.innerType as z.core.$ZodTypes;
        break;
      case 'pipe':
        // A preprocess (a transform into a schema) leaves what is written to the schema after it.
        current = ((def.in as z.core.$ZodTypes)._zod.def.type === 'transform' ? def.out : def.in) as z.core.$ZodTypes;
        break;
      case 'lazy':
        current = def.getter() as z.core.$ZodTypes;
        break;
      default:
        return current;
    }
  }
}

/** What a value at `schema` may contain, given the value itself (for discriminators). */
export function shapeOf(schema: Schema, value: unknown): Shape {
  const s = unwrap(schema);
  const def = s._zod.def;
  switch (def.type) {
    case 'object': {
      const shape = def.shape;
      return { kind: 'object', keys: Object.keys(shape), child: (key) => (Object.hasOwn(shape, key) ? shape[key] : undefined) };
    }
    case 'record':
      return { kind: 'record', value: def.valueType };
    case 'array':
      return { kind: 'array', child: () => def.element };
    case 'tuple':
      return { kind: 'array', child: (index) => def.items[index] ?? def.rest ?? undefined };
    case 'union':
      return unionShape(def.options, 'discriminator' in def ? (def.discriminator as string) : undefined, value);
    default:
      return { kind: 'value' };
  }
}

/**
 * A discriminated union with a known discriminator value is that option. Otherwise the keys of
 * every option that is a map are allowed (so `kind` itself is suggested), and a list option wins
 * for indices (`nodes: [a, b]` versus `nodes: 2`).
 */
function unionShape(options: readonly Schema[], discriminator: string | undefined, value: unknown): Shape {
  if (discriminator !== undefined && isRecord(value)) {
    const chosen = options.find((option) => option._zod.propValues?.[discriminator]?.has(value[discriminator] as never));
    if (chosen !== undefined) return shapeOf(chosen, value);
  }
  const shapes = options.map((option) => shapeOf(option, value));
  const objects = shapes.filter((shape) => shape.kind === 'object');
  if (objects.length > 0) {
    const keys = [...new Set(objects.flatMap((shape) => shape.keys))];
    return { kind: 'object', keys, child: (key) => objects.map((shape) => shape.child(key)).find((child) => child !== undefined) };
  }
  return shapes.find((shape) => shape.kind === 'array') ?? shapes.find((shape) => shape.kind === 'record') ?? { kind: 'value' };
}

/** The schema at `path` under `root`, following `data` to choose union options; undefined off the schema. */
export function schemaAt(root: Schema, path: readonly PropertyKey[], data: unknown): Schema | undefined {
  let schema: Schema | undefined = root;
  let value = data;
  for (const step of path) {
    if (schema === undefined) return undefined;
    const shape = shapeOf(schema, value);
    if (shape.kind === 'object') schema = shape.child(String(step));
    else if (shape.kind === 'record') schema = shape.value;
    else if (shape.kind === 'array' && typeof step === 'number') schema = shape.child(step);
    else return undefined;
    value = isRecord(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[step] : undefined;
  }
  return schema;
}

/**
 * The field, among `fields`, whose description names `key` as a word: how a setting known by
 * another name elsewhere is found (a field described as "Kafka's flush.messages=1" answers an
 * unknown `flush.messages`). Only dotted or underscored keys (configuration names such as
 * `message.max.bytes`, `dirty_expire_centisecs`) are looked up: plain words like `between` would
 * match prose.
 */
export function fieldDescribedAs(key: string, fields: readonly string[], schemaOf: (field: string) => Schema | undefined): { field: string; description: string } | undefined {
  if (!/[._]/.test(key)) return undefined;
  const word = new RegExp(`(^|[^\\w.])${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w.]|$)`);
  for (const field of fields) {
    const description = (schemaOf(field) as { description?: string } | undefined)?.description;
    if (description !== undefined && word.test(description)) return { field, description };
  }
  return undefined;
}

/** The keys a map at `path` may have; empty when the path is not a map of fixed fields. */
export function allowedKeys(root: Schema, path: readonly PropertyKey[], data: unknown): readonly string[] {
  const schema = schemaAt(root, path, data);
  if (schema === undefined) return [];
  const shape = shapeOf(schema, valueAt(data, path));
  return shape.kind === 'object' ? shape.keys : [];
}

export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const step of path) {
    if (!isRecord(value) && !Array.isArray(value)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[step];
  }
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
