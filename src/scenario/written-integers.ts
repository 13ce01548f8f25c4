/**
 * Whole-number fields (counts: nodes, partitions, replicas, a seed) written in a form YAML reads
 * as the same number but nobody reads as one: `1e6`, `0x10`, `0o17`, `+3`, `2.0`, `-0`. YAML's
 * core schema turns each into an integer, so `nodes: 1e6` ran a million-node site without a word.
 * Such a count is refused with its digits: "a whole number is written in digits: 1000000".
 *
 * Guarantee: only numbers at fields whose schema takes a whole number (an integer, alone or as a
 * union's option) are judged; sizes and durations given as bare numbers, probabilities and factors
 * are left alone. A number a later `--set` replaced is not judged. How it fails: problems at the
 * number's path, for the caller to place at its line or its `--set`.
 */
import type * as z from 'zod';
import { type Document, type Node, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Problem } from './explain.ts';
import { type AppliedSet, blame } from './overrides.ts';
import { schemaAt } from './schema-walk.ts';

/** Plain decimal digits, as a count is written. */
const DIGITS = /^(0|[1-9][0-9]*)$/;

/** The whole-number fields written in another form than digits, in the file and in the sets. */
export function integerFormProblems(doc: Document, applied: readonly AppliedSet[], schema: z.core.$ZodType, data: unknown): Problem[] {
  const problems: Problem[] = [];
  const judge = (node: Node, path: readonly PropertyKey[], by: AppliedSet | undefined) => {
    if (!isScalar(node) || typeof node.value !== 'number' || node.source === undefined) return;
    const written = node.source.trim();
    if (DIGITS.test(written) || !Number.isSafeInteger(node.value) || blame(applied, path) !== by) return;
    if (!takesWholeNumber(schemaAt(schema, path, data))) return;
    const digits = String(node.value + 0);
    problems.push({ path, message: `a whole number is written in digits: ${digits}, not ${written}` });
  };
  numbers(doc.contents, [], (node, path) => judge(node, path, undefined));
  for (const set of applied) {
    const value = parseDocument(set.text.slice(set.text.indexOf('=') + 1));
    if (value.errors.length === 0) numbers(value.contents, set.path, (node, path) => judge(node, path, set));
  }
  return problems;
}

/** Calls `found` for every scalar under `node`, with its path; aliases and merge keys are the anchor's, found there. */
function numbers(node: unknown, path: readonly PropertyKey[], found: (node: Node, path: readonly PropertyKey[]) => void): void {
  if (isAlias(node)) return;
  if (isScalar(node)) found(node, path);
  else if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof key === 'string' || typeof key === 'number') numbers(pair.value, [...path, String(key)], found);
    }
  } else if (isSeq(node)) node.items.forEach((item, i) => numbers(item, [...path, i], found));
}

/** Whether the field takes a whole number: an integer schema under its wrappers, or a union with one. */
function takesWholeNumber(schema: z.core.$ZodType | undefined): boolean {
  if (schema === undefined) return false;
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'number': {
      // z.int() and its kin: a number schema of an integer format.
      const format = (def as { format?: string }).format;
      return format === 'safeint' || format === 'int32' || format === 'uint32';
    }
    case 'union':
      return def.options.some(takesWholeNumber);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return takesWholeNumber(def.innerType);
    case 'pipe':
      return takesWholeNumber(def.in);
    default:
      return false;
  }
}
