/**
 * `--set path=value` overrides, applied to the scenario as read from YAML before validation.
 *
 * Paths are dotted, with `[i]` for list items and `["a.b"]` for keys that contain dots:
 * `links[0].latency=5ms`, `sites.hpc.nodes=4`, `checks=[no-acked-loss]`. The value is read as a
 * YAML scalar or flow collection, exactly as it would be in the file.
 *
 * Guarantee: the path must exist in the schema (fields are checked against the schema's own
 * keys, with "did you mean"); fields the file left out are created, so `sites.hpc.lan.latency`
 * works without a `lan:` block; but an entry of a map of names (`sites.hcp`) or a list item must
 * already exist, except as the last step, where it adds an entry (`links[1]={…}` appends). The
 * input is not mutated: containers along the path are copied, which also keeps a change to one
 * alias of a YAML anchor from reaching the others.
 *
 * Failure: problems are returned, each naming the `--set` it came from; the value itself is
 * validated afterwards with the rest of the scenario, and `blame` attributes those issues back to
 * the `--set` that wrote the value.
 */
import { parseDocument, visit } from 'yaml';
import { InputError } from '../kernel/contract/index.ts';
import { checkYamlDepth, keyProblem, MAX_YAML_DEPTH, tagProblem } from './yaml-guard.ts';
import type * as z from 'zod';
import { type Path, formatPath, parsePath, startsWith } from './paths.ts';
import { fieldDescribedAs, isRecord, shapeOf } from './schema-walk.ts';
import { dottedNameHint, suggestion } from './suggest.ts';
import { describeInput } from './units.ts';

export interface AppliedSet {
  /** The argument as given, `links[0].latency=5ms`. */
  readonly text: string;
  readonly path: Path;
}

export interface SetProblem {
  readonly set: string;
  readonly path: Path;
  readonly message: string;
}

type Container = Record<string, unknown> | unknown[];

export function applySets(
  data: unknown,
  sets: readonly string[],
  schema: z.core.$ZodType,
): { data: unknown; applied: AppliedSet[]; problems: SetProblem[] } {
  const applied: AppliedSet[] = [];
  const problems: SetProblem[] = [];
  let root = data;
  for (const text of sets) {
    const fail = (path: Path, message: string) => problems.push({ set: text, path, message });
    const eq = text.indexOf('=');
    const path = eq > 0 ? parsePath(text.slice(0, eq)) : 'expected path=value, e.g. links[0].latency=5ms';
    if (typeof path === 'string') {
      fail([], path);
      continue;
    }
    // Plug-ins are imported from the file's own text before any set applies (load.ts): a set of them would be silently ignored.
    if (path[0] === 'plugins') {
      fail(path, 'plug-ins are imported from the scenario file before --set applies; list them under plugins: in the file');
      continue;
    }
    const value = readValue(text.slice(eq + 1));
    if (!value.ok) {
      fail([], value.message);
      continue;
    }
    if (!isRecord(root)) {
      fail([], 'the scenario file must be a map of fields before --set can change one');
      continue;
    }
    const result = setIn(root, path, value.value, schema);
    if (!result.ok) {
      fail(result.at, result.message);
    } else {
      root = result.root;
      applied.push({ text, path });
    }
  }
  return { data: root, applied, problems };
}

/**
 * A `--set` as a message shows it: as typed, or JSON-quoted when it holds a line break
 * (`--set $'name=a\nb'`), which would split the message's one line in two. (Other control
 * characters are shown escaped by the error printer, exit.ts.)
 */
export function shownSet(set: string): string {
  return /[\n\r]/.test(set) ? JSON.stringify(set) : set;
}

/** The path a `--set` (`path=value`) writes; undefined when it is not of that form. */
export function pathOfSet(set: string): Path | undefined {
  const path = parsePath(set.slice(0, Math.max(0, set.indexOf('='))));
  return typeof path === 'string' ? undefined : path;
}

/** The field a `--set` writes, spelt the one way `formatPath` spells it; undefined when it is not `path=value`. */
function fieldOfSet(set: string): string | undefined {
  const path = pathOfSet(set);
  return path === undefined ? undefined : formatPath(path);
}

/**
 * The `--set` with its path spelt the one way (`services["store"].flush=5s` becomes
 * `services.store.flush=5s`), the value as given; one that is not `path=value` as given. Two sets
 * of one field then have the same text before the `=`, as checkSetsOnce compares them: a study
 * stores its sets so, for the command it prints for a cell to drop the earlier of two sets of a
 * field by their text (report/study-format.ts), as `diaspora run` would refuse both.
 */
export function normaliseSet(set: string): string {
  const field = fieldOfSet(set);
  return field === undefined ? set : `${field}${set.slice(set.indexOf('='))}`;
}

/** The first `--set` that writes the top-level `field` itself (`seed=5`), or undefined. */
export function setOfField(sets: readonly string[], field: string): string | undefined {
  return sets.find((set) => {
    const path = pathOfSet(set);
    return path !== undefined && path.length === 1 && path[0] === field;
  });
}

/** The latest of `sets` (`path=value`, as given) that wrote `path` or one of its ancestors, as `blame` finds it among applied sets. */
export function setWriting(sets: readonly string[], path: readonly PropertyKey[]): string | undefined {
  for (let i = sets.length - 1; i >= 0; i--) {
    const target = pathOfSet(sets[i]!);
    if (target !== undefined && startsWith(path, target)) return sets[i];
  }
  return undefined;
}

/** The latest `--set` that wrote `path` or one of its ancestors. */
export function blame(applied: readonly AppliedSet[], path: readonly PropertyKey[]): AppliedSet | undefined {
  // Later sets win, as they do when applied.
  for (let i = applied.length - 1; i >= 0; i--) if (startsWith(path, applied[i]!.path)) return applied[i];
  return undefined;
}

function readValue(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    checkYamlDepth(text, '');
  } catch {
    return { ok: false, message: `the value is nested more than ${MAX_YAML_DEPTH} levels deep` };
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { ok: false, message: `cannot read the value ${JSON.stringify(text)} as YAML (quote it?)` };
  // The checks a scenario file's YAML gets (yaml-guard.ts) that a value can need: a value's map is a scenario's map.
  let problem: string | undefined;
  visit(doc, { Value: (_, node) => void (problem ??= tagProblem(node.tag)), Pair: (_, pair) => void (problem ??= keyProblem(pair.key)) });
  if (problem !== undefined) return { ok: false, message: `YAML: ${problem}` };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 0 }) };
  } catch {
    // An alias (`*a`) refers to an anchor of the file, which a value on its own does not see.
    return { ok: false, message: `cannot use the alias in ${JSON.stringify(text)}: a --set value stands alone (quote it to mean the text)` };
  }
}

type Outcome = { readonly ok: true; readonly root: unknown } | { readonly ok: false; readonly at: Path; readonly message: string };

/** A copy of `root` with `value` at `path`, or where and why the path is not allowed. */
function setIn(root: Record<string, unknown>, path: Path, value: unknown, schema: z.core.$ZodType): Outcome {
  const top: Container = { ...root };
  let container: Container = top;
  let current: z.core.$ZodType = schema;
  for (const [i, step] of path.entries()) {
    const parent = path.slice(0, i);
    const here = formatPath(parent);
    const last = i === path.length - 1;
    const reject = (at: Path, message: string): Outcome => ({ ok: false, at, message });
    const shape = shapeOf(current, container);
    let child: z.core.$ZodType | undefined;
    if (shape.kind === 'object') {
      child = typeof step === 'string' ? shape.child(step) : undefined;
      if (child === undefined) {
        const dotted = dottedStep(path, i, shape.keys);
        if (dotted !== undefined) return reject(path.slice(0, i + 1), `unknown field ${describeStep(step)}${dottedNameHint(dotted, formatPath([...parent, dotted]), describeSet(value))}`);
        const namesIt = fieldDescribedAs(String(step), shape.keys, (field) => shape.child(field));
        const hint = namesIt === undefined ? suggestion(String(step), shape.keys, '', 'allowed') : `; here that is "${namesIt.field}": ${namesIt.description}`;
        return reject(path.slice(0, i + 1), `unknown field ${describeStep(step)}${hint}`);
      }
    } else if (shape.kind === 'record') {
      if (typeof step !== 'string') return reject(parent, `is a map of names; expected ${here}.<name>, not [${step}]`);
      // Assigned, `__proto__` would set the copy's prototype rather than add an entry: the set would vanish unseen.
      if (step === '__proto__') return reject(path.slice(0, i + 1), '"__proto__" cannot be a name; choose another');
      if (!last && !Object.hasOwn(container, step)) {
        return reject(parent, `has no entry "${step}"${suggestion(step, Object.keys(container), '; it is empty')}`);
      }
      child = shape.value;
    } else if (shape.kind === 'array') {
      if (typeof step !== 'number') return reject(parent, `is a list; expected an index like ${here}[0], not .${step}`);
      const length = (container as unknown[]).length;
      if (step > length || (step === length && !last)) {
        return reject(parent, `has ${length} item${length === 1 ? '' : 's'}, so there is no ${formatPath(path.slice(0, i + 1))}`);
      }
      child = shape.child(step);
    } else {
      return reject(parent, `is a single value; it has no ${describeStep(step)}`);
    }
    if (last || child === undefined) {
      (container as Record<PropertyKey, unknown>)[step] = value;
      return { ok: true, root: top };
    }
    const next: unknown = (container as Record<PropertyKey, unknown>)[step];
    let copy: Container;
    if (next === undefined) copy = shapeOf(child, undefined).kind === 'array' ? [] : {};
    else if (Array.isArray(next)) copy = [...next];
    else if (isRecord(next)) copy = { ...next };
    else return reject(path.slice(0, i + 1), `is ${describeInput(next)}, so it has no ${describeStep(path[i + 1]!)}`);
    (container as Record<PropertyKey, unknown>)[step] = copy;
    container = copy;
    current = child;
  }
  return { ok: true, root: top };
}

/** The allowed key that `path[i]` and the steps after it name when joined by dots, if any. */
function dottedStep(path: Path, i: number, keys: readonly string[]): string | undefined {
  for (let end = i + 2; end <= path.length; end++) {
    const steps = path.slice(i, end);
    if (steps.some((step) => typeof step !== 'string')) return undefined;
    if (keys.includes(steps.join('.'))) return steps.join('.');
  }
  return undefined;
}

/** A --set value as the user would write it again. */
function describeSet(value: unknown): string {
  return value === null || typeof value === 'object' ? '…' : String(value);
}

function describeStep(step: string | number): string {
  return typeof step === 'number' ? `item [${step}]` : `"${step}"`;
}

/**
 * Refuses a seed given twice, by `--seed` and by `--set seed=…`: one of them would silently win
 * (the run's seed is `--seed`, its written scenario would say the other).
 */
export function checkSeedGivenOnce(seed: number | undefined, sets: readonly string[]): void {
  const set = seed === undefined ? undefined : setOfField(sets, 'seed');
  if (set !== undefined) throw new InputError(`--set ${shownSet(set)}: the seed is also given by --seed ${seed}; give it once (--seed alone)`);
}

/**
 * Refuses a `--set` of a field an earlier one set (`duration=60s` then `duration=30s`, however the
 * path is spelt): the earlier would be lost silently. Setting a map and then a field inside it
 * refines the map and is allowed, as is the reverse (the commands a study prints for its cells
 * layer the study's, the variant's and the point's sets, and drop the earlier of two same paths).
 */
export function checkSetsOnce(sets: readonly string[]): void {
  const keys = sets.map(fieldOfSet);
  for (const [j, later] of keys.entries()) {
    const i = later === undefined ? -1 : keys.findIndex((earlier, k) => k < j && earlier === later);
    if (i !== -1) throw new InputError(`--set ${shownSet(sets[j]!)}: ${later} is already set by --set ${shownSet(sets[i]!)}; give each field once`);
  }
}
