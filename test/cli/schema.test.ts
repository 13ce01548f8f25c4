/** `diaspora schema [plugins..]`: the JSON Schema an editor validates scenarios with. */
import test from 'ava';
import { renderScenarioJsonSchema } from '../../src/scenario/index.ts';
import { diaspora } from './cli.ts';

type JsonSchema = { [key: string]: unknown };

// (The committed copy is held to the generator by test/scenario/json-schema.test.ts.)
test('without plug-ins it prints the schema of scenarios/schema.json, byte for byte', async (t) => {
  const r = await diaspora(['schema']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, renderScenarioJsonSchema());
});

test('with a plug-in, its section and checks are in the schema, every field described', async (t) => {
  const r = await diaspora(['schema', 'examples/token-ring/token-ring.ts']);
  t.is(r.code, 0, r.stderr);
  const schema = JSON.parse(r.stdout) as { description: string; additionalProperties: boolean; properties: Record<string, JsonSchema> };
  t.regex(schema.description, /by `diaspora schema examples\/token-ring\/token-ring\.ts`/);
  t.false(schema.additionalProperties, 'a key no feature declares is still flagged');
  const ring = schema.properties.ring as { properties: Record<string, JsonSchema>; required: string[]; additionalProperties: boolean };
  t.deepEqual(Object.keys(ring.properties), ['members', 'hold', 'detector']);
  t.deepEqual(ring.required, ['members']);
  t.false(ring.additionalProperties);
  for (const [key, field] of Object.entries(ring.properties)) t.true(typeof field.description === 'string' && field.description.length > 0, `ring.${key} has no description`);
  // Written units, as the user types them: a duration pattern, and the word that turns it off.
  t.regex(JSON.stringify(ring.properties.detector), /"const":"off"|"enum":\["off"\]/);
  t.regex(JSON.stringify(ring.properties.hold), /"pattern"/);
  const checks = (schema.properties.checks as { items: { enum: string[] } }).items.enum;
  t.true(checks.includes('single-token') && checks.includes('token-progress') && checks.includes('no-acked-loss'));
});

test('a plug-in that cannot be loaded is bad input (exit 2), one line, nothing on stdout', async (t) => {
  const r = await diaspora(['schema', 'examples/token-ring/no-such-plugin.ts']);
  t.is(r.code, 2);
  t.is(r.stdout, '');
  // Named as given (red before: "plugin /abs/path/examples/token-ring/no-such-plugin.ts: …").
  t.regex(r.stderr, /^schema examples\/token-ring\/no-such-plugin\.ts: no such file$/m);
  t.is(r.stderr.trim().split('\n').length, 1);
});

test('a scenario file given to schema is bad input naming what schema takes, whether or not it exists', async (t) => {
  // Red before: `plugin /abs/…/beamline-store.yaml: cannot be loaded: Unknown file extension ".yaml" for /abs/…`, Node's own words.
  const cases = [
    ['scenarios/beamline-store.yaml', 'a scenario file'],
    ['demo.yml', 'a scenario file'],
    ['schema.json', 'a .json file'],
    ['plugin.cts', 'a CommonJS module (.cts)'],
  ] as const;
  for (const [file, kind] of cases) {
    const r = await diaspora(['schema', file]);
    t.is(r.code, 2);
    t.is(r.stdout, '');
    t.is(r.stderr, `schema ${file}: schema takes plug-in modules (.ts, .mts, .js or .mjs) to add their sections, not ${kind}; \`diaspora schema\` alone prints the schema of scenario files\n`);
  }
});
