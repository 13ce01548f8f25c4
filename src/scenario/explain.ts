/**
 * Turns zod issues into problems a user can act on: a field path and one sentence.
 *
 * Guarantee: no zod default text reaches the user. Parsing runs with an error map that stamps
 * every zod-generated message with a sentinel; an issue that carries the sentinel is described
 * here from its code, while a message written by us (in `fields.ts`, `schema.ts`,
 * `cross-check.ts`) passes through unchanged. Unknown keys get "did you mean" from the keys the
 * schema allows at that path.
 *
 * Failure: none; an issue code this module does not know is still described generically.
 */
import type * as z from 'zod';
import { allowedKeys, fieldDescribedAs, isRecord, schemaAt, valueAt } from './schema-walk.ts';
import { formatPath } from './paths.ts';
import { closest, dottedNameHint, suggestion } from './suggest.ts';
import { describeInput } from './units.ts';

/** One thing wrong with a scenario, before it is located in the file. */
export interface Problem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** The key itself is wrong (an unknown field), so its line is the key's, not its value's. */
  readonly isKey?: boolean;
  /** For an unknown field: the field it is probably a misspelling of. */
  readonly meant?: string;
}

const ZOD_DEFAULT = '\u0000zod-default';
const REQUIRED = 'required field is missing';

/** Options for `safeParse` that make {@link explainIssues} possible. */
export const PARSE_OPTIONS = { reportInput: true, error: () => ZOD_DEFAULT } as const;

export function explainIssues(issues: readonly z.core.$ZodIssue[], schema: z.core.$ZodType, data: unknown): Problem[] {
  const problems = tightestBounds(issues).flatMap((issue) => explain(issue, [], schema, data));
  // `targt: hpc-1` is both an unknown field and a missing `target`; "did you mean" says it all.
  const misspelt = new Set(problems.flatMap((p) => (p.meant === undefined ? [] : [formatPath([...p.path.slice(0, -1), p.meant])])));
  const missing = new Set(problems.flatMap((p) => (p.message === REQUIRED ? [formatPath(p.path)] : [])));
  // An unknown field already told as the misspelling of a missing one is paired with nothing else.
  const told = (p: Problem) => p.meant !== undefined && missing.has(formatPath([...p.path.slice(0, -1), p.meant]));
  return pairMissingWithUnknown(problems.filter((p) => !(p.message === REQUIRED && misspelt.has(formatPath(p.path)))), told);
}

/**
 * `nodes: 99999999999999999999` passes two upper bounds, an integer's (2^53−1) and the field's own
 * (10^6): telling both says the same thing twice. Of several bounds one value passes on the same
 * side, the tightest is told.
 */
function tightestBounds(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const limit = (issue: z.core.$ZodIssue) => (issue.code === 'too_big' ? Number(issue.maximum) : issue.code === 'too_small' ? -Number(issue.minimum) : undefined);
  const where = (issue: z.core.$ZodIssue) => `${issue.code} ${formatPath(issue.path)}`;
  return issues.filter((issue) => {
    const mine = limit(issue);
    return mine === undefined || !issues.some((other) => other !== issue && where(other) === where(issue) && limit(other)! < mine);
  });
}

/**
 * `runtime: 40s` where `duration` is required, or `probability:` where a packet-loss fault needs
 * `loss`: one unknown field and one missing required field in the same map are one mistake, a
 * field written under another name. They are told as one problem at the unknown key, naming the
 * missing field; with more of either, which goes with which is a guess, so each is told alone.
 */
function pairMissingWithUnknown(problems: Problem[], told: (problem: Problem) => boolean): Problem[] {
  const byMap = new Map<string, { unknown: Problem[]; missing: Problem[] }>();
  for (const problem of problems) {
    const unknown = problem.isKey === true && problem.message.startsWith('unknown field') && !told(problem);
    const side = unknown ? 'unknown' : problem.message === REQUIRED ? 'missing' : undefined;
    if (side === undefined) continue;
    const key = formatPath(problem.path.slice(0, -1));
    const entry = byMap.get(key) ?? { unknown: [], missing: [] };
    entry[side].push(problem);
    byMap.set(key, entry);
  }
  const merged = new Map<Problem, Problem | undefined>();
  for (const { unknown, missing } of byMap.values()) {
    if (unknown.length !== 1 || missing.length !== 1) continue;
    const [written, needed] = [unknown[0]!, missing[0]!];
    const field = String(needed.path.at(-1));
    const key = String(written.path.at(-1));
    merged.set(written, { ...written, message: `unknown field "${key}", and the required field "${field}" is missing; did you mean "${field}"?`, meant: field });
    merged.set(needed, undefined);
  }
  return problems.flatMap((p) => (merged.has(p) ? (merged.get(p) === undefined ? [] : [merged.get(p)!]) : [p]));
}


function explain(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[], schema: z.core.$ZodType, data: unknown): Problem[] {
  const path = [...prefix, ...issue.path];
  const ours = issue.message !== ZOD_DEFAULT;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schema, path, data);
      return issue.keys.map((key) => {
        const dotted = dottedKey(path, key, allowed, data);
        if (dotted !== undefined) return dotted;
        const namesIt = fieldDescribedAs(key, allowed, (field) => schemaAt(schema, [...path, field], data));
        const hint = namesIt === undefined ? suggestion(key, allowed, '; this map takes no fields', 'allowed') : `; here that is "${namesIt.field}": ${namesIt.description}`;
        return { path: [...path, key], message: `unknown field "${key}"${hint}`, isKey: true, meant: namesIt?.field ?? closest(key, allowed) };
      });
    }
    case 'invalid_key':
      // A bad key of a record (a site named `HPC`): the nested issue says why, at the key.
      return issue.issues.map((inner) => ({ path, message: inner.message === ZOD_DEFAULT ? 'is not a valid name' : inner.message, isKey: true }));
    case 'invalid_union':
      return explainUnion(issue, path, schema, data);
    default:
      return [{ path, message: ours ? issue.message : describe(issue) }];
  }
}

function explainUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  path: readonly PropertyKey[],
  schema: z.core.$ZodType,
  data: unknown,
): Problem[] {
  if (issue.discriminator !== undefined && issue.errors.length === 0) {
    // A discriminated union (`services`, `faults`) whose `kind` is missing or unknown; the
    // issue's path already ends at the discriminator.
    const options = ('options' in issue ? (issue.options ?? []) : []).map(String);
    const value = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
    const message =
      value === undefined
        ? `required field is missing; expected one of: ${options.join(', ')}`
        : `unknown ${issue.discriminator} ${describeInput(value)}${aliasOf(String(value), options) ?? suggestion(String(value), options)}`;
    return [{ path, message }];
  }
  if (issue.input === undefined) return [{ path, message: REQUIRED }];
  // A union of a scalar and a structure (`nodes: 2` or `nodes: [a, b]`, `service: 20ms` or
  // `service: { mean, distribution }`): when exactly one option got past the type check, its
  // complaints are the useful ones — a misspelt key or value inside the map gets its "did you mean".
  const informative = issue.errors.filter((branch) => !typeMismatch(branch));
  const chosen = informative.length === 1 ? informative[0] : closestMap(informative, issue.input);
  if (chosen !== undefined) return chosen.flatMap((inner) => explain(inner, path, schema, data));
  return [{ path, message: issue.message !== ZOD_DEFAULT ? issue.message : `has the wrong type, got ${describeInput(issue.input)}` }];
}

/** An unknown key whose nested keys, joined by dots, name an allowed field (see {@link dottedNameHint}). */
function dottedKey(path: readonly PropertyKey[], key: string, allowed: readonly string[], data: unknown): Problem | undefined {
  let value = valueAt(data, [...path, key]);
  let name = key;
  while (isRecord(value) && Object.keys(value).length === 1 && !allowed.includes(name)) {
    const [inner, next] = Object.entries(value)[0]!;
    name = `${name}.${inner}`;
    value = next;
  }
  if (name === key || !allowed.includes(name)) return undefined;
  const written = isRecord(value) || Array.isArray(value) ? '…' : String(value);
  return { path: [...path, key], message: `unknown field "${key}"${dottedNameHint(name, formatPath([...path, name]), written)}`, isKey: true, meant: name };
}

/** What a kind is called elsewhere, and what it is here (offered only where `here` is allowed). */
const KIND_ALIASES: Readonly<Record<string, { readonly here: string; readonly what: string }>> = {
  kafka: { here: 'log', what: 'a Kafka-like replicated log' },
  redpanda: { here: 'log', what: 'a Kafka-like replicated log' },
  mofka: { here: 'log', what: 'a Mofka-like service (replication.factor: 1, flush: every-write)' },
};

function aliasOf(value: string, options: readonly string[]): string | undefined {
  const alias = KIND_ALIASES[value.toLowerCase()];
  return alias !== undefined && options.includes(alias.here) ? `; ${alias.what} is kind: ${alias.here}` : undefined;
}

/** A branch that failed only because the input is of another type (a map given to a duration, itself a union of a string and a number). */
function typeMismatch(branch: readonly z.core.$ZodIssue[]): boolean {
  return branch.every((inner) => inner.path.length === 0 && (inner.code === 'invalid_type' || (inner.code === 'invalid_union' && inner.errors.length > 0 && inner.errors.every(typeMismatch))));
}

/**
 * Of several map shapes a map was given to (a forwarder's `{ buffer }` or its topic fields), the
 * one it is nearest to: the branch with strictly the fewest complaints. None when that is a tie.
 */
function closestMap(branches: readonly (readonly z.core.$ZodIssue[])[], input: unknown): readonly z.core.$ZodIssue[] | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input) || branches.length < 2) return undefined;
  const sorted = [...branches].sort((a, b) => a.length - b.length);
  return sorted[0]!.length < sorted[1]!.length ? sorted[0] : undefined;
}

const TYPE_NOUNS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'a map',
  record: 'a map',
};

function describe(issue: z.core.$ZodIssue): string {
  const got = describeInput(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return REQUIRED;
      // `hpc:` with nothing after it is YAML for null, and reads like "all defaults".
      if (issue.input === null && issue.expected === 'object') return 'expected a map, got an empty value (write {} for all defaults)';
      return `expected ${TYPE_NOUNS[issue.expected] ?? issue.expected}, got ${got}`;
    case 'invalid_value': {
      const values = issue.values.map((value) => JSON.stringify(value));
      if (values.length === 1) return `expected ${values[0]}, got ${got}`;
      const near = typeof issue.input === 'string' ? suggestion(issue.input, issue.values.map(String)) : '';
      return near.startsWith('; did you mean') ? `unknown value ${got}${near}` : `expected one of ${values.join(', ')}; got ${got}`;
    }
    case 'too_small':
      return bound(issue.origin, issue.inclusive ? '≥' : '>', issue.minimum, got, issue.exact);
    case 'too_big':
      return bound(issue.origin, issue.inclusive ? '≤' : '<', issue.maximum, got, issue.exact);
    default:
      return `is not valid, got ${got}`;
  }
}

function bound(origin: string, relation: string, limit: number | bigint, got: string, exact: boolean | undefined): string {
  if (origin === 'array' || origin === 'set') {
    if (exact) return `expected exactly ${limit} items`;
    if (relation === '≥' && limit === 1) return 'must not be empty';
    return `expected ${relation} ${limit} items`;
  }
  if (origin === 'string') return limit === 1 && relation === '≥' ? 'must not be empty' : `expected ${relation} ${limit} characters`;
  return `must be ${relation} ${limit}, got ${got}`;
}
