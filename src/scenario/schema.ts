/**
 * The scenario file schema (zod 4), assembled from the core sections (`core-schema.ts`) and every
 * registered feature's sections, service kinds and producer fields (`registry.ts`).
 *
 * Guarantee: `scenarioSchema()` accepts exactly the documented YAML keys (`z.strictObject`, so an
 * unknown key is an error), applies defaults, converts units to integers, checks references across
 * sections (`cross-check.ts`) and outputs a resolved `Scenario` (`resolve.ts`). Every field carries
 * a `.describe()` with its unit and default, which becomes the JSON Schema an editor shows.
 *
 * Failure: a failed parse yields zod issues whose paths use the user-facing YAML keys; `load.ts`
 * turns them into located one-line messages. Cross-section checks run only once every field is
 * well-formed, so a file with a bad duration and a dangling reference reports the duration first.
 */
import * as z from 'zod';
import { duration, name, positiveDuration, count } from './fields.ts';
import { crossCheck } from './cross-check.ts';
import { linkSchema, producerFields, siteSchema } from './core-schema.ts';
import { faultSchema, livenessSchema, nemesisSchema } from './faults/schema.ts';
import { checkers, features, registryVersion } from './registry.ts';
import { resolveScenario } from './resolve.ts';
import { describeInput } from './units.ts';
import { suggestion } from './suggest.ts';
import type { Scenario } from './types.ts';
import type { ScenarioFields } from './written-types.ts';

export { DISK_PRESETS } from './core-schema.ts';

let memo: { version: number; schema: z.ZodType<Scenario> } | undefined;

/** Parses a scenario as written (plain data from YAML) into a resolved {@link Scenario}. */
export function scenarioSchema(): z.ZodType<Scenario> {
  if (memo?.version !== registryVersion()) memo = { version: registryVersion(), schema: assemble() };
  return memo.schema;
}

function assemble(): z.ZodType<Scenario> {
  return (
    scenarioFields()
      // Only on a file without any other problem: a value that failed a check (`nodes: 0`) still
      // reaches refinements in zod 4, and would cause misleading follow-on errors here.
      .superRefine((fields, ctx) => crossCheck(withDefaultChecks(fields as unknown as ScenarioFields), ctx), { when: (payload) => payload.issues.length === 0 })
      // zod 4 still runs a transform after an unknown key (`unrecognized_keys` does not stop a pipe),
      // but resolution is total only on fields that passed the cross-checks, so it must not run then.
      .transform((fields, payload) => (payload.issues.length > 0 ? z.NEVER : resolveScenario(fields as unknown as ScenarioFields)))
  );
}

/**
 * Fills in `checks` when the file leaves it out: `no-acked-loss` when workload producers write
 * acknowledged events for a final read to find, nothing otherwise (a plug-in's ring of actors has
 * no acknowledged events to lose, and its own checks are named in its file). The parsed object is
 * this parse's own, so completing it here is what every later step — cross-checks, resolution — sees.
 */
function withDefaultChecks(fields: ScenarioFields): ScenarioFields {
  (fields as { checks?: string[] }).checks ??= Object.keys(fields.workload).length > 0 ? ['no-acked-loss'] : [];
  return fields;
}

/** The scenario as written, before cross-section checks and resolution. */
function scenarioFields() {
  const all = features();
  const serviceKinds = all.flatMap((feature) => feature.services ?? []);
  const checkNames = [...checkers().keys()] as [string, ...string[]];
  const services =
    serviceKinds.length === 0
      ? z.never()
      : serviceKinds.length === 1
        ? serviceKinds[0]!
        : z.discriminatedUnion('kind', serviceKinds as unknown as [z.ZodObject<{ kind: z.ZodLiteral<string> }>, ...z.ZodObject<{ kind: z.ZodLiteral<string> }>[]]);
  const producer = z.strictObject({ ...producerFields, ...Object.assign({}, ...all.map((feature) => feature.producerFields ?? {})) });
  // Each section's schema says itself how it may be absent (`.optional()` or a `.default`).
  const sections = Object.assign({}, ...all.map((feature) => feature.sections ?? {})) as Record<string, z.ZodType>;
  return z.strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9-]+$/, {
        error: (issue) => `a scenario name uses lower-case letters, digits and "-"; got ${describeInput(issue.input)}`,
      })
      // It names a directory (results/<name>/…), and file systems allow 255 bytes a name.
      .max(100, { error: (issue) => `a scenario name is at most 100 characters (it names the results directory); got ${String(issue.input).length}` })
      .describe('Scenario name, [a-z0-9-]+, at most 100 characters; names the results directory. Required.'),
    description: z.string().optional().describe('Free text shown in reports. Optional.'),
    seed: count(0).default(1).describe('Root seed of every random stream, an integer ≥ 0. Default 1.'),
    duration: positiveDuration().describe('Length of the safety phase, during which the workload and faults run, a duration (e.g. 60s). Required.'),
    quiesce: duration()
      .prefault('10s')
      .describe('Length of the final phase after duration: faults healed, final reads; a duration. Default 10s.'),
    sites: z
      .record(name('site'), siteSchema)
      .refine((sites) => Object.keys(sites).length > 0, { error: 'needs at least one site' })
      .describe('Sites by name: each a group of nodes sharing a LAN and a disk kind. At least one. Required.'),
    links: z.array(linkSchema).default([]).describe('Links between sites, capacity per direction. Default none.'),
    services: z.record(name('service'), services).default({}).describe('Services by name, discriminated by kind. Default none.'),
    workload: z.record(name('producer'), producer).default({}).describe('Producers by name. Default none.'),
    faults: z.array(faultSchema).default([]).describe('Scheduled faults, discriminated by kind. Default none.'),
    checks: z
      .array(
        z.enum(checkNames, {
          // The list of checkers grows with the features; name the nearest one rather than all.
          error: (issue) =>
            issue.input === undefined
              ? undefined
              : typeof issue.input === 'string'
                ? `unknown check ${describeInput(issue.input)}${suggestion(issue.input, checkNames)}`
                : `expected a check name, got ${describeInput(issue.input)}`,
        }),
      )
      .optional()
      .describe(`Checkers the run must pass. Allowed: ${checkNames.join(', ')}. Default: [no-acked-loss] when the scenario has workload producers, none otherwise.`),
    nemesis: nemesisSchema.optional(),
    liveness: livenessSchema.optional(),
    plugins: z
      .array(z.string().min(1))
      .default([])
      .describe('Plug-in modules (.ts or .js, paths relative to this file) whose default export is a feature made with defineFeature; their sections and checks are then valid here. Default none.'),
    ...sections,
  });
}

export type ScenarioInput = Record<string, unknown>;
