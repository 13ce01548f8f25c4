/**
 * The corpus of bad scenarios: each `test/fixtures/bad-scenarios/<name>.yaml` must fail with
 * exactly the text of its sibling `<name>.expected` (every problem: the CLI shows the first few). Messages are part of the user interface, so a
 * change to one shows up here as a diff to review.
 */
import test from 'ava';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/kernel/contract/index.ts';
import { loadScenario } from '../../src/scenario/index.ts';
import { decodeScenarioBytes } from '../../src/scenario/encoding.ts';

const dir = fileURLToPath(new URL('../fixtures/bad-scenarios/', import.meta.url));
const fixtures = readdirSync(dir)
  .filter((file) => file.endsWith('.yaml'))
  .sort();

test('the corpus covers the required kinds of mistake', (t) => {
  const required = [
    'key-typo',
    'bad-duration',
    'bad-bandwidth',
    'unknown-site-in-link',
    'unknown-service',
    'node-and-site',
    'fault-beyond-duration',
    'yaml-syntax',
    'missing-required',
    'wrong-type',
    'negative-number',
  ];
  for (const name of required) t.true(fixtures.includes(`${name}.yaml`), name);
});

for (const file of fixtures) {
  test(`bad scenario ${file}`, (t) => {
    const expectedFile = `${dir}${file.replace(/\.yaml$/, '.expected')}`;
    t.true(existsSync(expectedFile), `${file} needs a sibling .expected file`);
    // From the bytes, as `diaspora` reads a file: encodings are part of the corpus.
    const bytes = readFileSync(`${dir}${file}`);
    const error = t.throws(() => loadScenario(decodeScenarioBytes(bytes, file), file), { instanceOf: InputError });
    t.is(error?.message, readFileSync(expectedFile, 'utf8').trimEnd());
    // Every line is located, and nothing of zod's or yaml's own wording leaks through.
    for (const line of error?.message.split('\n') ?? []) {
      t.regex(line, new RegExp(`^${file.replace('.', '\\.')}:\\d+ `));
      t.notRegex(line, /Invalid input|Unrecognized key|Too small|Too big|Expected|received|at line \d+/);
      // The CLI cuts a line past 300 characters after its place (exit.ts): the remedy at a message's end must fit.
      t.true(line.replace(/^\S*:\d+ /, '').length <= 300, `${line.length} characters: the CLI would cut this line`);
    }
  });
}
