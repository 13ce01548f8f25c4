/**
 * The JSON Schema of scenario files, generated from the zod schema, so editors autocomplete and
 * validate YAML as it is written (`# yaml-language-server: $schema=./schema.json`).
 *
 * Guarantee: derived only from `scenarioSchema` (input side: the keys and written units a user
 * types, not the converted output), deterministic text, so the committed `scenarios/schema.json`
 * can be compared byte for byte with a fresh rendering (a test does). Cross-section rules
 * (references, fault timing) cannot be expressed in JSON Schema; the loader still enforces them.
 *
 * Failure: throws only if the zod schema gains a type JSON Schema cannot represent — a bug caught
 * by the drift test, never a user error.
 */
import * as z from 'zod';
import { scenarioSchema } from './schema.ts';

/** Where the committed copy lives, relative to the repository root. */
export const SCHEMA_FILE = 'scenarios/schema.json';

/**
 * The schema of scenarios with every registered feature (built-ins, and plug-ins loaded so far).
 * @param generatedBy the command that wrote it, named in its description
 */
export function scenarioJsonSchema(generatedBy = 'npm run schema'): Record<string, unknown> {
  // Draft 7 rather than zod's default 2020-12: it is the draft editors' YAML plugins support best.
  const generated = z.toJSONSchema(scenarioSchema(), { io: 'input', target: 'draft-7' });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'diaspora-sim scenario',
    description: `A diaspora-sim scenario: sites, links, services, workload, faults and checks. Generated from src/scenario/schema.ts by \`${generatedBy}\`; do not edit.`,
    ...rest,
  };
}

/** The exact text of `scenarios/schema.json` (or, given the command, of a plug-in's schema). */
export function renderScenarioJsonSchema(generatedBy?: string): string {
  return `${JSON.stringify(scenarioJsonSchema(generatedBy), null, 2)}\n`;
}
