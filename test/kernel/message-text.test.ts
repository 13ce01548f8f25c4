/**
 * The two helpers every refusal uses to quote what the user gave (kernel/contract/input-error.ts):
 * cutText, the one way a long value is cut in a message, and groupedDigits, `toLocaleString('en-US')`
 * without ICU.
 */
import test from 'ava';
import fc from 'fast-check';
import { cutText, groupedDigits, InputError } from '../../src/kernel/contract/index.ts';
import { inputErrorText } from '../../src/cli/exit.ts';

test('groupedDigits writes a whole number as toLocaleString("en-US") does', (t) => {
  t.is(groupedDigits(0), '0');
  t.is(groupedDigits(999), '999');
  t.is(groupedDigits(1000), '1,000');
  t.is(groupedDigits(200_000_000), '200,000,000');
  fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => groupedDigits(n) === n.toLocaleString('en-US')));
});

test('cutText keeps a short value whole and cuts a long one, saying how long it was', (t) => {
  t.is(cutText('abc', 2, 3), 'abc');
  t.is(cutText('abcd', 2, 3), 'ab… (4 characters)');
  t.is(cutText('abcd', 2), 'ab… (4 characters)');
  t.is(cutText('ab', 2, 2, JSON.stringify), '"ab"');
  t.is(cutText('a"bc', 2, 2, JSON.stringify), '"a\\""… (4 characters)');
});

test('the error printer cuts a line the same way: a message quotes a value, never a whole file', (t) => {
  const shown = inputErrorText(new InputError(`x: ${'y'.repeat(1000)}`), false);
  t.is(shown, `x: ${'y'.repeat(297)}… (1003 characters)`);
});
