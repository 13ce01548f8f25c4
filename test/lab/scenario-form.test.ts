/**
 * The lab's "what if" form (src/lab/scenario-form.ts), generated from the scenario's JSON Schema:
 * on every shipped scenario and drill, each field the file writes is in the form with its value,
 * and giving every one of them back as `--set path=value` (what the page does with a changed field)
 * reads as the same scenario — so each path and each value text is one `--set` accepts.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { scenarioForm } from '../../src/lab/scenario-form.ts';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.ts';
import { parseScenario } from '../../src/scenario/parse.ts';

const schema = scenarioJsonSchema();
const shipped = ['scenarios', 'scenarios/drills'].flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => `${dir}/${f}`));

test('acks=1 drill: typed fields with the values the file writes, defaults for the rest', (t) => {
  const form = scenarioForm(schema, parse(readFileSync('scenarios/drills/log-acks1-leader-crash.yaml', 'utf8')));
  const field = (path: string) => form.flatMap((g) => g.fields).find((f) => f.path === path);
  t.like(field('workload.detector.acks'), { value: '1', input: 'select', options: ['all', '-1', '0', '1'] });
  t.like(field('services.stream["min.insync.replicas"]'), { value: '2', input: 'integer', min: 1, defaultText: '1' });
  t.like(field('services.stream["unclean.leader.election.enable"]'), { value: null, input: 'select', options: ['true', 'false'], defaultText: 'false' });
  t.like(field('faults[1].for'), { value: '5s', input: 'text' });
  t.regex(field('faults[1].for')!.unit!, /^duration/);
  t.regex(field('workload.detector.size')!.unit!, /^size/);
  t.like(field('services.stream.nodes'), { value: '[hpc-1, hpc-2, hpc-3]' });
  t.deepEqual(form.map((g) => g.title), ['', 'sites.beamline', 'sites.hpc', 'links[0]', 'services.stream', 'services.stream.topics.projections', 'workload.detector', 'faults[0] partition', 'faults[1] node-crash']);
  t.is(field('seed'), undefined, 'the seed is the lab’s own control');
  t.is(field('faults[1].kind'), undefined, 'a discriminator is not offered');
});

for (const file of shipped) {
  test(`${file}: every written field given back as --set reads as the same scenario`, (t) => {
    const text = readFileSync(file, 'utf8');
    const written = scenarioForm(schema, parse(text)).flatMap((g) => g.fields).filter((f) => f.value !== null);
    t.true(written.length > 3);
    t.deepEqual(parseScenario(text, file, written.map((f) => `${f.path}=${f.value!}`)), parseScenario(text, file));
  });
}
