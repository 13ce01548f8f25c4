/**
 * The command line's V8 setting (src/cli/v8-tuning.ts): `v8.setFlagsFromString` ignores a flag
 * V8 does not know without a word, so a Node that renamed or dropped it would quietly lose the
 * setting. This checks that the Node running the tests lists each flag, and that each sets a
 * budget below V8's own default (the setting is a cut; a default that fell below it would make
 * it a raise).
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { V8_FLAGS } from '../../src/cli/v8-tuning.ts';

const v8Options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;

for (const flag of V8_FLAGS) {
  const [name, value] = flag.split('=') as [string, string];
  test(`this Node's V8 knows ${name} and its default is above ${value}`, (t) => {
    const listed = new RegExp(`^\\s+${name} \\(.*\\n\\s+type: int\\s+default: ${name}=(\\d+)`, 'm').exec(v8Options);
    t.truthy(listed, `${name} is not among \`node --v8-options\``);
    t.true(Number(value) < Number(listed![1]), `${name}: V8's default ${listed![1]}, the setting ${value}`);
  });
}
