/**
 * The zod schema of the fault sections of a scenario: `faults:` (an exact schedule), `nemesis:`
 * (random faults from failure and repair distributions) and `liveness:` (the recovery bound),
 * built from the kind table in `fault-kinds.ts`.
 *
 * Guarantee: every kind's schedule entry and nemesis entry is a `z.strictObject` discriminated on
 * `kind`, with a description on every field for the JSON Schema; magnitudes are parsed with the
 * units of `units.ts` and must be able to do something (a probability above 0, a factor above 1, a
 * non-zero offset). Which targets exist, and the combinations of fields, are checked across
 * sections by `cross-check-faults.ts`.
 */
import * as z from 'zod';
import { DISTRIBUTIONS, FAULT_KINDS, PARTITION_DIRECTIONS, PARTITION_SHAPES, type FaultKind } from '../../faults/index.ts';
import { type KindDef, type ParamDef, type TargetMode, FAULT_KIND_DEFS } from './kinds.ts';
import { bandwidth, count, duration, positiveDuration, probability, reference } from '../fields.ts';
import { SITE_ROLES } from '../types.ts';
import { DURATION_PATTERN, type UnitResult, describeInput, tryReadDuration } from '../units.ts';

/** A schedule entry as parsed (units converted, names not yet checked). */
export interface WrittenFault {
  readonly kind: FaultKind;
  readonly at: number;
  readonly for?: number;
  readonly [key: string]: unknown;
}

/** The node a scheduled node-crash names, in `target` or `targets` (a list of one); undefined if it names none or several. */
export function crashedNode(fault: WrittenFault): string | undefined {
  const given = (fault.target ?? fault.targets) as string | readonly string[] | undefined;
  if (given === undefined || typeof given === 'string') return given;
  return given.length === 1 ? given[0] : undefined;
}

/** A failure or repair distribution as parsed: a bare duration (exponential with that mean) or a map. */
export type WrittenDistribution = number | { readonly mean: number; readonly distribution: (typeof DISTRIBUTIONS)[number]; readonly shape?: number; readonly sigma?: number };

export interface WrittenNemesisEntry {
  readonly kind: FaultKind;
  readonly mtbf: WrittenDistribution;
  readonly repair?: WrittenDistribution;
  readonly [key: string]: unknown;
}

export interface WrittenNemesis {
  readonly quiet: number;
  readonly 'max-concurrent': number;
  readonly faults: readonly WrittenNemesisEntry[];
}

// ---------------------------------------------------------------------------------------------
// Magnitudes

const SIGNED_DURATION_PATTERN = `^[+-]?${DURATION_PATTERN.slice(1)}`;

function readSignedDuration(input: unknown): UnitResult<number> {
  const expected = `expected a duration like "2s" or "-500ms", got ${describeInput(input)}`;
  const sign = typeof input === 'string' && /^[+-]/.test(input) ? input[0] : '';
  const read = tryReadDuration(sign === '' ? input : (input as string).slice(1));
  if (!read.ok) return { ok: false, message: expected };
  if (read.value === 0) return { ok: false, message: `must not be zero, got ${describeInput(input)}` };
  return { ok: true, value: sign === '-' ? -read.value : read.value };
}

function signedDuration() {
  return z
    .union([z.string(), z.number()], { error: (issue) => (issue.input === undefined ? undefined : `expected a duration like "2s" or "-500ms", got ${describeInput(issue.input)}`) })
    .transform((input, ctx): number => {
      const result = readSignedDuration(input);
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: result.message, input });
      return z.NEVER;
    })
    .meta({ pattern: SIGNED_DURATION_PATTERN });
}

function paramField(param: ParamDef): z.ZodType {
  const base: z.ZodType = (() => {
    switch (param.unit) {
      case 'duration':
        return positiveDuration();
      case 'signed-duration':
        return signedDuration();
      case 'bandwidth':
        return bandwidth();
      case 'probability':
        return probability().refine((p) => p > 0, { error: (issue) => `must be more than 0, got ${describeInput(issue.input)}` });
      case 'factor':
        return z.number({ error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? `expected a number like 10, got ${describeInput(issue.input)}` : undefined) }).gt(1);
      case 'boolean':
        return z.boolean();
    }
  })();
  if (param.default === undefined) return base.describe(param.describe);
  // Unit fields take their default as written (prefault), so it goes through the same parser.
  return (typeof param.default === 'boolean' ? base.default(param.default) : base.prefault(param.default)).describe(param.describe);
}

function paramFields(def: KindDef, context: 'schedule' | 'nemesis'): Record<string, z.ZodType> {
  const fields: Record<string, z.ZodType> = {};
  for (const param of def.params) if (context === 'schedule' || param.scheduleOnly !== true) fields[param.key] = paramField(param);
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Targets

const names = z.array(reference()).min(1);
const role = z.enum(SITE_ROLES).optional();

const link = z
  .tuple([reference(), reference()], {
    error: (issue) => (issue.input === undefined ? undefined : `expected two site names like [edge, hpc], got ${describeInput(issue.input)}`),
  })
  .describe('The link\'s two sites (it must be declared under links). Required.');

const groupFields = {
  from: names.optional().describe('One side: site or node names (a site means all its nodes). Give from and to, or among and shape.'),
  to: names.optional().describe('The other side: site or node names. Give from and to, or among and shape.'),
  among: names.optional().describe('A group of sites or nodes to split by `shape` (in the order written; the nemesis shuffles it).'),
  shape: z
    .enum(PARTITION_SHAPES)
    .optional()
    .describe('How `among` is split: halves, majority (a minority against a strict majority), isolate (one node alone), bridge (one node sees both sides).'),
  direction: z
    .enum(PARTITION_DIRECTIONS)
    .default('both')
    .describe('both: dropped both ways; one-way: only messages from `from` to `to` are dropped. Default both.'),
};

/**
 * A schedule entry names what it hits in `target`; `targets` (the nemesis's spelling) is accepted
 * too, with the same meaning (one fault on all of them), so an entry moved between the sections
 * still reads. The cross-check (cross-check.ts) wants exactly one of them (or `role`).
 */
function scheduleTargets(mode: TargetMode): Record<string, z.ZodType> {
  const what = mode === 'actors' ? 'the processes on it' : 'all its nodes';
  const nameOrNames = (describe: string) =>
    z
      .union([reference(), names], { error: (issue) => (issue.input === undefined ? undefined : `expected a name or a list of names, got ${describeInput(issue.input)}`) })
      .optional()
      .describe(describe);
  switch (mode) {
    case 'node':
      return {
        target: reference().optional().describe('The node (a node name). Give target or targets.'),
        targets: nameOrNames('The node, as `target` (one node name, or a list of one). Give target or targets.'),
      };
    case 'nodes':
    case 'actors':
      return {
        target: nameOrNames(`A site (meaning ${what}), node or actor name, or a list of them. Give target (or targets) or role.`),
        targets: nameOrNames('The same as `target`: one fault on every name given. Give target (or targets) or role.'),
        role: role.describe(`Every site with this role (meaning ${what}). Give target or role.`),
      };
    case 'link':
      return { between: link };
    case 'groups':
      return groupFields;
    case 'none':
      return {};
  }
}

function nemesisTargets(mode: TargetMode): Record<string, z.ZodType> {
  switch (mode) {
    case 'node':
    case 'nodes':
    case 'actors':
      return {
        targets: names.optional().describe('The failure units: site, node or actor names; each fails on its own (a site as a whole). Give targets or role.'),
        role: role.describe('Every site of this role is a failure unit. Give targets or role.'),
      };
    default:
      return scheduleTargets(mode);
  }
}

// ---------------------------------------------------------------------------------------------
// Schedule entries

const at = duration().describe('When the fault begins, a duration since the start (within duration). Required.');
const timing = {
  at,
  for: duration()
    .optional()
    .describe('How long it lasts, a duration; at + for must be within duration. 0s: a crash (process-crash, node-crash, power-loss, torn-write) restarts at the instant it happens. Default: until the quiesce phase.'),
};

function scheduleEntry(def: KindDef) {
  return z.strictObject({
    kind: z.literal(def.kind).describe(def.describe),
    ...scheduleTargets(def.target),
    ...paramFields(def, 'schedule'),
    ...(def.instant === true ? { at } : timing),
  });
}

function discriminated<T>(options: z.ZodObject[]): z.ZodType<T> {
  return z.discriminatedUnion('kind', options as unknown as [z.ZodObject, ...z.ZodObject[]]) as unknown as z.ZodType<T>;
}

export const faultSchema = discriminated<WrittenFault>(FAULT_KIND_DEFS.map(scheduleEntry));

// ---------------------------------------------------------------------------------------------
// The nemesis

/** `zero`: a mean of 0 is allowed (a repair: the crash restarts at once). */
const distributionMap = (zero: boolean) => z.strictObject({
  mean: (zero ? duration() : positiveDuration()).describe(zero ? 'The mean, a duration; 0s restarts a crash at once. Required.' : 'The mean, a duration. Required.'),
  distribution: z
    .enum(DISTRIBUTIONS)
    .default('exponential')
    .describe('exponential, weibull (give shape), lognormal (give sigma) or fixed (always the mean). Default exponential.'),
  shape: z.number().positive().optional().describe('Weibull shape k: below 1 failures cluster early, above 1 they come with wear. Default 1.'),
  sigma: z.number().positive().optional().describe('Lognormal sigma: the spread (a long tail above about 1). Default 1.'),
});

function distribution(what: string, zero = false) {
  return z
    .union([zero ? duration() : positiveDuration(), distributionMap(zero)], { error: (issue) => (issue.input === undefined ? undefined : `expected a duration like "30s" or a map { mean, distribution }, got ${describeInput(issue.input)}`) })
    .describe(`${what}: a duration (the mean of an exponential distribution), or { mean, distribution, shape | sigma }. Required.`);
}

// One schema of each, shared by every kind's entry: built per kind, the two were 900 of the 3,000
// zod schemas every command that reads a scenario built at load, most of the nemesis's cost.
const mtbf = distribution('Mean time between failures of each unit');
const repair = distribution('Time to repair (0s: a crash restarts at the instant it happens)', true);

function nemesisEntry(def: KindDef) {
  return z.strictObject({
    kind: z.literal(def.kind).describe(def.describe),
    ...nemesisTargets(def.target),
    ...paramFields(def, 'nemesis'),
    mtbf,
    ...(def.instant === true ? {} : { repair }),
  });
}

const NEMESIS_KINDS = FAULT_KIND_DEFS.filter((def) => def.kind !== 'heal');

export const nemesisSchema = z
  .strictObject({
    quiet: duration().prefault('0').describe('No random fault starts before this time, so the system settles first; a duration. Default 0.'),
    'max-concurrent': count(1).default(1).describe('At most this many random faults at once; a failure beyond it is skipped. Default 1.'),
    faults: z
      .array(discriminated<WrittenNemesisEntry>(NEMESIS_KINDS.map(nemesisEntry)))
      .min(1)
      .describe('The kinds of fault to inject, each with its failure units, mtbf and repair. At least one.'),
  })
  .describe('Random faults from seeded streams of their own (the same seed gives the same faults whatever the strategy). Optional.') as unknown as z.ZodType<WrittenNemesis>;

export const livenessSchema = z
  .strictObject({
    bound: positiveDuration().prefault('5s').describe('After the last fault heals, the system must acknowledge a write within this long, a duration. Default 5s.'),
  })
  .describe('What the liveness check demands. Optional; default bound 5s.');

/** Every kind a nemesis entry may name (all but heal). */
export const NEMESIS_KIND_NAMES: readonly FaultKind[] = NEMESIS_KINDS.map((def) => def.kind);
export { FAULT_KINDS };
