/** checkFlagShapes on its own: which repeated switches it lets through (broken-inputs.test.ts runs the refusals end to end). */
import test from 'ava';
import type { Arguments } from 'yargs';
import { InputError } from '../../src/kernel/contract/index.ts';
import { checkFlagShapes, type OptionLists } from '../../src/cli/flag-shapes.ts';

const OPTIONS: OptionLists = { array: [], boolean: ['trace', 'quiet', 'all-errors'], string: [], number: [], alias: { quiet: ['q'] }, key: { trace: true, quiet: true, 'all-errors': true } };
const check = (raw: string[]) => checkFlagShapes({ _: ['run'], $0: 'diaspora' } as Arguments, OPTIONS, raw);

test('a switch given twice the same way loses nothing and passes; after "--" words are names, not flags', (t) => {
  t.notThrows(() => check(['run', 'x.yaml', '--trace', '--trace']));
  t.notThrows(() => check(['run', 'x.yaml', '--no-trace', '--trace=false']));
  t.notThrows(() => check(['run', '-q', '--quiet=true', '--', '--no-quiet']));
});

test('a switch turned on and off, in any spelling, is refused naming the first two that disagree', (t) => {
  const refused = (raw: string[]) => t.throws(() => check(raw), { instanceOf: InputError })!.message;
  t.is(refused(['run', '--trace', '--no-trace']), '--trace --no-trace: the switch is turned both on and off; give one of them');
  t.is(refused(['run', '--no-quiet', '--trace', '-q', '--no-quiet']), '--no-quiet -q: the switch is turned both on and off; give one of them');
  t.is(refused(['run', '--trace=false', '--trace=true']), '--trace=false --trace=true: the switch is turned both on and off; give one of them');
  // yargs negates an alias too: -q is quiet, --no-q turns it off (red before: only --no-quiet was seen).
  t.is(refused(['run', '-q', '--no-q']), '-q --no-q: the switch is turned both on and off; give one of them');
  // yargs reads --allErrors as --all-errors, and --no-allErrors as --no-all-errors (red before: the camel-case spellings were not seen).
  t.is(refused(['run', '--allErrors', '--no-all-errors']), '--allErrors --no-all-errors: the switch is turned both on and off; give one of them');
  t.is(refused(['run', '--all-errors', '--no-allErrors']), '--all-errors --no-allErrors: the switch is turned both on and off; give one of them');
  t.is(refused(['run', '--allErrors=false', '--all-errors']), '--allErrors=false --all-errors: the switch is turned both on and off; give one of them');
  t.is(refused(['run', '--allErrors=yes']), '--allErrors=yes: --allErrors is a switch; give it alone, or =true / =false');
  t.notThrows(() => check(['run', '--allErrors', '--all-errors']));
});
