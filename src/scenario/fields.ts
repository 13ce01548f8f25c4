/**
 * Zod field types for written units and names, shared by every section of the scenario schema.
 *
 * Guarantee: a unit field accepts what the user writes (a string, or a bare number where the unit
 * allows it), outputs the integer from `units.ts`, and reports failure with that module's message.
 * On the input side (JSON Schema) a unit field is `string | number` with a `pattern`, so an editor
 * flags `fast` as the user types; the parser in `units.ts` stays the authority.
 *
 * Failure: every issue raised here carries a message written for users; the zod defaults never
 * surface (see `explain.ts`, which replaces the rest).
 */
import * as z from 'zod';
import {
  BANDWIDTH_PATTERN,
  DURATION_PATTERN,
  PROBABILITY_PATTERN,
  RATE_PATTERN,
  SIZE_PATTERN,
  type UnitResult,
  describeInput,
  tryReadBandwidth,
  tryReadDuration,
  tryReadProbability,
  tryReadRate,
  tryReadSize,
} from './units.ts';

type Reader<T> = (input: unknown) => UnitResult<T>;

function unitField<T>(read: Reader<T>, pattern: string) {
  // `error` covers inputs that are neither string nor number (a list, a map, `true`); the
  // transform covers the rest, so both paths give the parser's own message.
  const written = z.union([z.string(), z.number()], {
    error: (issue) => {
      // A missing value falls through to the generic "required field is missing".
      if (issue.input === undefined) return undefined;
      const result = read(issue.input);
      return result.ok ? undefined : result.message;
    },
  });
  return written
    .transform((input, ctx): T => {
      const result = read(input);
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: result.message, input });
      return z.NEVER;
    })
    .meta({ pattern });
}

/** Rejects zero: used where a zero duration would mean "never happens" or divide by zero. */
function positive(read: Reader<number>): Reader<number> {
  return (input) => {
    const result = read(input);
    if (result.ok && result.value === 0) return { ok: false, message: `must be more than zero, got ${describeInput(input)}` };
    return result;
  };
}

/**
 * One schema per field type, built when first asked for and then handed to every field of that
 * type. A zod schema is immutable — `.describe()`, `.optional()`, `.prefault()` wrap it in a new
 * one — so a shared schema parses, explains and prints as JSON Schema as a fresh one does. Built
 * afresh per field, these were 828 of the 2,185 zod schemas every command that reads a scenario
 * built at load (six each: string, number, union, transform, pipe and the meta copy). How it
 * breaks: metadata registered on a shared schema in place (`.register`, `z.globalRegistry.add`)
 * would mark every field of its type; nothing does — `.describe()` and `.meta()` return copies.
 */
function shared<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

export const duration = shared(() => unitField(tryReadDuration, DURATION_PATTERN));
export const positiveDuration = shared(() => unitField(positive(tryReadDuration), DURATION_PATTERN));
export const size = shared(() => unitField(tryReadSize, SIZE_PATTERN));
export const positiveSize = shared(() => unitField(positive(tryReadSize), SIZE_PATTERN));
export const bandwidth = shared(() => unitField(tryReadBandwidth, BANDWIDTH_PATTERN));
export const rate = shared(() => unitField(tryReadRate, RATE_PATTERN));
export const probability = shared(() => unitField(tryReadProbability, PROBABILITY_PATTERN));

/** Kafka's `.ms` settings: a duration, or a bare number of milliseconds. Output: µs. */
export const kafkaDuration = shared(() => {
  const message = (input: unknown) => `expected a duration like "500ms" or a number of milliseconds, got ${describeInput(input)}`;
  return z
    .union([z.string(), z.number()], { error: (issue) => (issue.input === undefined ? undefined : message(issue.input)) })
    .transform((input, ctx): number => {
      if (typeof input === 'number') {
        if (Number.isSafeInteger(input) && input >= 0) return input * 1000;
        ctx.addIssue({ code: 'custom', message: message(input), input });
        return z.NEVER;
      }
      const read = tryReadDuration(input);
      if (read.ok) return read.value;
      ctx.addIssue({ code: 'custom', message: read.message, input });
      return z.NEVER;
    })
    .meta({ anyOf: [{ type: 'string', pattern: DURATION_PATTERN }, { type: 'integer', minimum: 0 }] });
});

/**
 * Names of sites, nodes, services and producers. They start with a letter so that no name looks
 * like an integer: JavaScript lists integer-like object keys first, whatever the file order, and
 * a site called `2` would also read like a node count.
 */
export const NAME_PATTERN = /^[a-z][a-z0-9-]*$/;

export function name(noun: string) {
  return z.string().regex(NAME_PATTERN, {
    error: (issue) =>
      `a ${noun} name uses lower-case letters, digits and "-", and starts with a letter; got ${describeInput(issue.input)}`,
  });
}

/** A reference to something named elsewhere in the file; existence is checked across fields. */
export const reference = shared(() => z.string().min(1));

/** A whole number ≥ `min`. */
export function count(min: number) {
  return z
    .int({
      // The schema's error also serves its checks (`min`); those, and a missing value, fall through
      // to the generic messages of explain.ts.
      error: (issue) =>
        issue.code === 'invalid_type' && issue.input !== undefined ? `expected a whole number, got ${describeInput(issue.input)}` : undefined,
    })
    .min(min);
}

/** Where a service or client runs: `node:` or `site:` (that site's first node), exactly one. */
export const placementFields = {
  node: reference().optional().describe('The node it runs on (a node name). Give exactly one of node and site.'),
  site: reference().optional().describe("A site name, meaning that site's first node. Give exactly one of node and site."),
};
