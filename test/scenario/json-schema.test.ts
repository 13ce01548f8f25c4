import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SCHEMA_FILE, renderScenarioJsonSchema, scenarioJsonSchema } from '../../src/scenario/index.ts';

test(`the committed ${SCHEMA_FILE} is what the generator produces (run npm run schema)`, (t) => {
  const committed = readFileSync(fileURLToPath(new URL(`../../${SCHEMA_FILE}`, import.meta.url)), 'utf8');
  t.is(committed, renderScenarioJsonSchema());
});

test('rendering is deterministic', (t) => {
  t.is(renderScenarioJsonSchema(), renderScenarioJsonSchema());
});

type JsonSchema = { [key: string]: unknown };

/** Every property of every object schema, with its dotted location. */
function properties(schema: unknown, at = ''): [string, JsonSchema][] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as JsonSchema;
  const found: [string, JsonSchema][] = [];
  for (const [name, child] of Object.entries((node.properties as Record<string, JsonSchema> | undefined) ?? {})) {
    found.push([`${at}.${name}`, child], ...properties(child, `${at}.${name}`));
  }
  for (const key of ['additionalProperties', 'items']) found.push(...properties(node[key], `${at}.${key === 'items' ? '[]' : '*'}`));
  for (const key of ['anyOf', 'oneOf']) {
    for (const [i, option] of ((node[key] as unknown[] | undefined) ?? []).entries()) found.push(...properties(option, `${at}<${i}>`));
  }
  return found;
}

test('every field in the JSON Schema has a description (its unit and default)', (t) => {
  const fields = properties(scenarioJsonSchema());
  t.true(fields.length > 40, `found ${fields.length} fields`);
  for (const [at, field] of fields) t.true(typeof field.description === 'string' && field.description.length > 0, `${at} has no description`);
});

test('the JSON Schema is on the input side: written units, no converted fields', (t) => {
  const text = renderScenarioJsonSchema();
  t.false(text.includes('latencyUs'));
  t.false(text.includes('bandwidthBytesPerSec'));
  const root = scenarioJsonSchema() as { required: string[]; additionalProperties: boolean };
  t.deepEqual(root.required, ['name', 'duration', 'sites']);
  t.false(root.additionalProperties, 'unknown keys are flagged by editors too');
});
