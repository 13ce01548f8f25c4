/**
 * The lab's "what if" form, generated from the scenario's JSON Schema (json-schema.ts, the schema
 * `npm run schema` writes) and the scenario's own values: one group per section the file writes
 * (`services.stream`, `workload.detector`, `faults[1]`, …), each with a typed field per property —
 * a choice for enums, constants and booleans, a number for integers, text with its unit (duration,
 * size, bandwidth, rate, percentage) for written quantities — holding the value the file gives, or
 * empty with the default when it leaves the field out. The page turns each changed field into a
 * `--set path=value` (paths as overrides.ts reads them), so run B is `diaspora run --set …`.
 *
 * Guarantee: a pure function of the schema and the data; every field's path is accepted by
 * `--set` (it follows the schema's own properties, and discriminated unions by their `kind`).
 * Lists of values (`nodes`, `checks`) are one text field holding YAML flow text. Name, description,
 * seed (the lab's own control), plug-ins and discriminators (`kind`) are not offered.
 *
 * How it fails: it does not; a part of the data the schema does not describe is left out of the form
 * (the scenario was validated before, so that happens only for keys a newer schema dropped).
 */
import { Document, parse } from 'yaml';
import type { FormField, FormGroup } from '../../viz/lab/protocol.ts';
import { formatPath, type Path } from '../scenario/paths.ts';

export type { FormField, FormGroup };

type Json = Record<string, unknown>;

const SKIPPED_TOP = new Set(['name', 'description', 'seed', 'plugins']);

/** The form of a scenario: `data` as read from its YAML, `schema` its JSON Schema. */
export function scenarioForm(schema: Json, data: unknown): FormGroup[] {
  const groups: FormGroup[] = [];
  if (isRecord(data)) walkObject(schema, data, [], '', groups);
  return groups.filter((group) => group.fields.length > 0);
}

function walkObject(schema: Json, data: Json, path: Path, title: string, groups: FormGroup[]): void {
  const group: FormGroup = { path: formatPath(path), title, fields: [] };
  groups.push(group);
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  for (const [key, property] of Object.entries(properties)) {
    if (key === 'kind' || (path.length === 0 && SKIPPED_TOP.has(key))) continue;
    const value = data[key];
    const here = [...path, key];
    const variant = variantFor(property, value);
    if (isRecord(value) && isObjectSchema(variant)) walkObject(variant, value, here, formatPath(here), groups);
    else if (isRecord(value) && isRecordSchema(variant)) walkRecord(variant, value, here, groups);
    else if (Array.isArray(value) && isObjectList(variant)) walkList(variant, value, here, groups);
    else if (value !== undefined || !isContainer(variant)) group.fields.push(field(variant, key, here, value));
  }
}

/** A map of names (`sites`, `workload`): one group per entry. */
function walkRecord(schema: Json, data: Json, path: Path, groups: FormGroup[]): void {
  const entry = schema.additionalProperties as Json;
  for (const [name, value] of Object.entries(data)) {
    const here = [...path, name];
    const variant = variantFor(entry, value);
    if (isRecord(value) && isObjectSchema(variant)) walkObject(variant, value, here, formatPath(here), groups);
    else groups.push({ path: formatPath(here), title: formatPath(here), fields: [field(variant, name, here, value)] });
  }
}

/** A list of objects (`faults`, `links`): one group per item, titled with its kind when it has one. */
function walkList(schema: Json, data: unknown[], path: Path, groups: FormGroup[]): void {
  data.forEach((value, i) => {
    const here = [...path, i];
    const variant = variantFor(schema.items as Json, value);
    const kind = isRecord(value) && typeof value.kind === 'string' ? ` ${value.kind}` : '';
    if (isRecord(value) && isObjectSchema(variant)) walkObject(variant, value, here, `${formatPath(here)}${kind}`, groups);
  });
}

/** The option of a `oneOf` whose `kind` constant the value names (or the first object option), else the schema itself. */
function variantFor(schema: Json, value: unknown): Json {
  const options = schema.oneOf as Json[] | undefined;
  if (options === undefined) return schema;
  const kind = isRecord(value) ? value.kind : undefined;
  return options.find((option) => ((option.properties as Record<string, Json> | undefined)?.kind?.const) === kind) ?? options[0]!;
}

function field(schema: Json, key: string, path: Path, value: unknown): FormField {
  const base = {
    path: formatPath(path),
    key,
    value: value === undefined ? null : yamlText(value),
    defaultText: schema.default === undefined || isRecord(schema.default) ? null : yamlText(schema.default),
    description: typeof schema.description === 'string' ? schema.description : '',
  };
  const choices = choicesOf(schema);
  if (choices !== null) return { ...base, input: 'select', options: choices };
  const types = typesOf(schema);
  if (types.length === 1 && (types[0] === 'integer' || types[0] === 'number')) {
    const bound = (n: unknown) => (typeof n === 'number' && Math.abs(n) < 2 ** 40 ? n : undefined);
    const min = bound(schema.minimum);
    const max = bound(schema.maximum);
    return { ...base, input: types[0], ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
  }
  const unit = types.includes('array') ? (types.includes('integer') ? 'a count, or a list like [a, b]' : 'a list like [a, b]') : unitOf(schema);
  return { ...base, input: 'text', ...(unit === undefined ? {} : { unit }) };
}

/** The values a field may take when they are few and fixed: an enum, constants, a boolean. */
function choicesOf(schema: Json): string[] | null {
  if (Array.isArray(schema.enum)) return schema.enum.map(yamlText);
  if (schema.const !== undefined) return [yamlText(schema.const)];
  if (typesOf(schema).length === 1 && schema.type === 'boolean') return ['true', 'false'];
  const options = schema.anyOf as Json[] | undefined;
  if (options === undefined) return null;
  const each = options.map(choicesOf);
  return each.every((c): c is string[] => c !== null) ? each.flat() : null;
}

function typesOf(schema: Json): string[] {
  if (Array.isArray(schema.type)) return schema.type as string[];
  if (typeof schema.type === 'string') return [schema.type];
  return ((schema.anyOf ?? []) as Json[]).flatMap(typesOf);
}

/** What a written quantity is, from the pattern that reads it (the first pattern found, anyOf included). */
function unitOf(schema: Json): string | undefined {
  const patterns = [schema.pattern, ...((schema.anyOf ?? []) as Json[]).map((option) => option.pattern)].filter((p): p is string => typeof p === 'string');
  for (const pattern of patterns) {
    if (pattern.includes('bps')) return 'bandwidth, e.g. 10Gbps, 1GB/s';
    if (pattern.includes('%')) return 'percentage, e.g. 5%';
    if (pattern.includes('/(h|')) return 'rate, e.g. 1000/s';
    if (pattern.includes('KiB')) return 'size, e.g. 4KiB, 8MiB';
    if (pattern.includes('ms|')) return `duration, e.g. 500ms, 2s${typesOf(schema).includes('integer') ? ' (a bare number is ms)' : ''}`;
  }
  return undefined;
}

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isObjectSchema = (schema: Json) => isRecord(schema.properties);
const isRecordSchema = (schema: Json) => !isObjectSchema(schema) && isRecord(schema.additionalProperties);
const isObjectList = (schema: Json) => isRecord(schema.items) && (isObjectSchema(schema.items) || Array.isArray(schema.items.oneOf));
const isContainer = (schema: Json) => schema.type === 'object' || isObjectList(schema);

/** A value as one line of YAML, as `--set` reads it back. */
function yamlText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const plain = String(value);
    // A string YAML would read as something else (a number, a boolean, a flow collection) is quoted.
    return typeof value !== 'string' || safeParse(plain) === plain ? plain : JSON.stringify(plain);
  }
  return new Document(value).toString({ collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).trim();
}

function safeParse(text: string): unknown {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}
