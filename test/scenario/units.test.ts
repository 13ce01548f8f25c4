import test from 'ava';
import fc from 'fast-check';
import { InputError } from '../../src/kernel/contract/index.ts';
import {
  formatBandwidth,
  formatDuration,
  formatSize,
  parseDuration,
  tryReadBandwidth,
  tryReadDuration,
  tryReadProbability,
  tryReadRate,
  tryReadSize,
} from '../../src/scenario/units.ts';

const value = <T>(result: { ok: true; value: T } | { ok: false; message: string }): T | string =>
  result.ok ? result.value : `error: ${result.message}`;

test('durations are read as whole microseconds', (t) => {
  const cases: [unknown, number][] = [
    ['250us', 250],
    ['250µs', 250],
    ['5ms', 5_000],
    ['1.5s', 1_500_000],
    ['1.1s', 1_100_000], // 1.1 * 1e6 is 1100000.0000000002 in floating point
    ['2m', 120_000_000],
    ['2min', 120_000_000],
    ['1h', 3_600_000_000],
    ['2m30s', 150_000_000],
    ['1h2m3s4ms5us', 3_723_004_005],
    ['0', 0],
    [0, 0],
    ['0s', 0],
    ['0.5ms', 500],
  ];
  for (const [input, us] of cases) t.is(value(tryReadDuration(input)), us, String(input));
});

test('bad durations say what was expected and what was given', (t) => {
  const cases: [unknown, string][] = [
    ['fast', 'expected a duration like "5ms", got "fast"'],
    [5, 'expected a duration like "5ms", got 5 (a number needs a unit: us, ms, s, m or h)'],
    ['', 'expected a duration like "5ms", got ""'],
    ['-5ms', 'expected a duration like "5ms", got "-5ms" (durations cannot be negative)'],
    ['30s2m', 'expected a duration like "5ms", got "30s2m" (write each unit once, larger units first, e.g. "2m30s")'],
    ['1s1s', 'expected a duration like "5ms", got "1s1s" (write each unit once, larger units first, e.g. "2m30s")'],
    ['1.5us', '"1.5us" is not a whole number of microseconds'],
    // A space before the unit, or a unit not read (red before: no hint for either).
    ['5 ms', 'expected a duration like "5ms", got "5 ms" (no space between the number and its unit: "5ms")'],
    ['60S', 'expected a duration like "5ms", got "60S" (units: us, ms, s, m or min, h — lower-case, right after the number)'],
    ['60sec', 'expected a duration like "5ms", got "60sec" (units: us, ms, s, m or min, h — lower-case, right after the number)'],
    ['1e3ms', 'expected a duration like "5ms", got "1e3ms" (write the digits out: an exponent like 1e9 is not read)'],
    ['1e9h', 'expected a duration like "5ms", got "1e9h" (write the digits out: an exponent like 1e9 is not read)'],
    [true, 'expected a duration like "5ms", got true'],
    [['5ms'], 'expected a duration like "5ms", got a list'],
    ['99999999999h', '"99999999999h" is longer than simulated time can count (about 285 years)'],
  ];
  for (const [input, message] of cases) t.is(value(tryReadDuration(input)), `error: ${message}`, String(input));
});

test('parseDuration throws an InputError with the same message', (t) => {
  const error = t.throws(() => parseDuration('fast'), { instanceOf: InputError });
  t.is(error?.message, 'expected a duration like "5ms", got "fast"');
});

test('sizes are read as whole bytes, decimal and binary prefixes apart', (t) => {
  const cases: [unknown, number][] = [
    ['8MiB', 8 * 1024 ** 2],
    ['4KiB', 4096],
    ['1GB', 1e9],
    ['1kB', 1000],
    ['1.5KiB', 1536],
    ['100B', 100],
    ['512', 512],
    [512, 512],
    [0, 0],
    ['2TiB', 2 * 1024 ** 4],
  ];
  for (const [input, bytes] of cases) t.is(value(tryReadSize(input)), bytes, String(input));
});

test('bad sizes explain the usual mix-ups', (t) => {
  const cases: [unknown, string][] = [
    ['4KB', 'expected a size like "8MiB", got "4KB" ("KB" is ambiguous: write "kB" for 1000 bytes or "KiB" for 1024)'],
    ['4mb', 'expected a size like "8MiB", got "4mb" (units are case-sensitive: B, kB, MB, GB, KiB, MiB, GiB)'],
    ['4 parsecs', 'expected a size like "8MiB", got "4 parsecs"'],
    ['1.5B', '"1.5B" is not a whole number of bytes'],
    [-1, 'expected a size like "8MiB", got -1 (a bare number is a whole number of bytes)'],
    [1.5, 'expected a size like "8MiB", got 1.5 (a bare number is a whole number of bytes)'],
  ];
  for (const [input, message] of cases) t.is(value(tryReadSize(input)), `error: ${message}`, String(input));
});

test('bandwidths are read as whole bytes per second; bits are divided by 8', (t) => {
  const cases: [string, number][] = [
    ['10Gbps', 1_250_000_000],
    ['100Mbps', 12_500_000],
    ['1Gbit/s', 125_000_000],
    ['1Gb/s', 125_000_000],
    ['500MB/s', 500_000_000],
    ['1GiB/s', 1024 ** 3],
    ['8bps', 1],
    ['1.5GB/s', 1_500_000_000],
  ];
  for (const [input, bytesPerSec] of cases) t.is(value(tryReadBandwidth(input)), bytesPerSec, input);
});

test('bad bandwidths', (t) => {
  const cases: [unknown, string][] = [
    ['10 gigabits', 'expected a bandwidth like "10Gbps" or "500MB/s", got "10 gigabits"'],
    [10, 'expected a bandwidth like "10Gbps" or "500MB/s", got 10 (a number needs a unit such as Mbps or MB/s)'],
    ['1bps', '"1bps" is not a whole number of bytes per second'],
    ['0Gbps', 'expected a bandwidth like "10Gbps" or "500MB/s", got "0Gbps" (a bandwidth must be more than zero)'],
    ['1KB/s', 'expected a bandwidth like "10Gbps" or "500MB/s", got "1KB/s" ("KB" is ambiguous: write "kB" for 1000 bytes or "KiB" for 1024)'],
    [
      '10gbps',
      'expected a bandwidth like "10Gbps" or "500MB/s", got "10gbps" (bits: bps, kbps, Mbps, Gbps; bytes: B/s, kB/s, MB/s, KiB/s, MiB/s, GiB/s)',
    ],
  ];
  for (const [input, message] of cases) t.is(value(tryReadBandwidth(input)), `error: ${message}`, String(input));
});

test('rates are read as events per second, possibly fractional', (t) => {
  const cases: [string, number][] = [
    ['10/s', 10],
    ['600/m', 10],
    ['600/min', 10],
    ['2/ms', 2000],
    ['1/h', 1 / 3600],
    ['0.5/s', 0.5],
    ['3/us', 3_000_000],
  ];
  for (const [input, perSec] of cases) t.is(value(tryReadRate(input)), perSec, input);
  t.is(value(tryReadRate('lots')), 'error: expected a rate like "10/s", got "lots"');
  t.is(value(tryReadRate(10)), 'error: expected a rate like "10/s", got 10 (a number needs a unit: /s, /m, /h, /ms)');
  t.is(value(tryReadRate('0/s')), 'error: expected a rate like "10/s", got "0/s" (a rate must be more than zero)');
});

test('probabilities are numbers in [0, 1] or percentages', (t) => {
  t.is(value(tryReadProbability(0)), 0);
  t.is(value(tryReadProbability(0.25)), 0.25);
  t.is(value(tryReadProbability(1)), 1);
  t.is(value(tryReadProbability('1%')), 0.01);
  t.is(value(tryReadProbability('0.5%')), 0.005);
  t.is(value(tryReadProbability('100%')), 1);
  const expected = 'error: expected a probability between 0 and 1 or a percentage like "1%"';
  t.is(value(tryReadProbability(2)), `${expected}, got 2`);
  t.is(value(tryReadProbability(-0.1)), `${expected}, got -0.1`);
  t.is(value(tryReadProbability('half')), `${expected}, got "half"`);
  t.is(value(tryReadProbability('150%')), `${expected}, got "150%" (a percentage is at most 100%)`);
});

// Laws. Values stay below 2^53 so they are exact integers.
const micros = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

test('formatDuration then tryReadDuration is the identity', (t) => {
  fc.assert(fc.property(micros, (us) => value(tryReadDuration(formatDuration(us))) === us));
  t.pass();
});

test('formatSize then tryReadSize is the identity', (t) => {
  fc.assert(fc.property(micros, (bytes) => value(tryReadSize(formatSize(bytes))) === bytes));
  t.pass();
});

test('formatBandwidth then tryReadBandwidth is the identity', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (bps) => value(tryReadBandwidth(formatBandwidth(bps))) === bps));
  t.pass();
});

test('durations written with any unit scale exactly and keep their order', (t) => {
  const units = fc.constantFrom(['us', 1], ['ms', 1e3], ['s', 1e6], ['m', 6e7], ['h', 3.6e9]);
  fc.assert(
    fc.property(fc.nat(1_000_000), fc.nat(1_000_000), units, (a, b, [unit, factor]) => {
      const x = value(tryReadDuration(`${a}${unit}`));
      const y = value(tryReadDuration(`${b}${unit}`));
      return x === a * (factor as number) && (a <= b) === ((x as number) <= (y as number));
    }),
  );
  t.pass();
});

test('a compound duration is the sum of its parts', (t) => {
  fc.assert(
    fc.property(fc.nat(1000), fc.nat(59), fc.nat(59), fc.nat(999), (h, m, s, ms) => {
      return value(tryReadDuration(`${h}h${m}m${s}s${ms}ms`)) === h * 3.6e9 + m * 6e7 + s * 1e6 + ms * 1e3;
    }),
  );
  t.pass();
});

test('decimal fractions of a unit are exact (no floating-point drift)', (t) => {
  fc.assert(
    fc.property(fc.nat(100_000), fc.nat(999), (int, frac) => {
      const text = `${int}.${String(frac).padStart(3, '0')}`;
      return value(tryReadDuration(`${text}s`)) === int * 1e6 + frac * 1e3 && value(tryReadSize(`${text}kB`)) === int * 1000 + frac;
    }),
  );
  t.pass();
});

test('sizes are monotone in the number and in the unit', (t) => {
  const unit = fc.constantFrom('B', 'kB', 'KiB', 'MB', 'MiB', 'GB', 'GiB');
  fc.assert(
    fc.property(fc.nat(1_000_000), fc.nat(1_000_000), unit, (a, b, u) => {
      const x = value(tryReadSize(`${a}${u}`)) as number;
      const y = value(tryReadSize(`${b}${u}`)) as number;
      return (a <= b) === (x <= y);
    }),
  );
  const order = ['1B', '1kB', '1KiB', '1MB', '1MiB', '1GB', '1GiB', '1TB', '1TiB'].map((text) => value(tryReadSize(text)) as number);
  t.deepEqual([...order].sort((a, b) => a - b), order);
});

test('rates are monotone and consistent across units', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 1_000_000 }), (a, b) => {
      const x = value(tryReadRate(`${a}/s`)) as number;
      const y = value(tryReadRate(`${b}/s`)) as number;
      return (a <= b) === (x <= y) && value(tryReadRate(`${a * 60}/m`)) === x;
    }),
  );
  t.pass();
});

test('a number in bits is an eighth of the same number in bytes', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom('', 'k', 'M', 'G'), (n, prefix) => {
      return (value(tryReadBandwidth(`${8 * n}${prefix}bps`)) as number) === (value(tryReadBandwidth(`${n}${prefix}B/s`)) as number);
    }),
  );
  t.pass();
});
