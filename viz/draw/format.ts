/**
 * How the page writes times, counts and sizes: simulated time is in µs underneath and is always
 * shown with its unit (µs, ms, s, min), chosen so that the numbers on screen stay short.
 */

interface Unit {
  suffix: string;
  us: number;
}

const UNITS: Unit[] = [
  { suffix: 'µs', us: 1 },
  { suffix: 'ms', us: 1_000 },
  { suffix: 's', us: 1_000_000 },
  { suffix: 'min', us: 60_000_000 },
  { suffix: 'h', us: 3_600_000_000 },
];

/**
 * The unit to write a time (or a span) of this size in: the largest unit it is at least one of —
 * except that seconds last up to 10 min and minutes up to 10 h, since "90 s" reads better than
 * "1.5 min".
 */
function unitFor(spanUs: number): Unit {
  const span = Math.abs(spanUs);
  if (span >= 36_000_000_000) return UNITS[4];
  if (span >= 600_000_000) return UNITS[3];
  let unit = UNITS[0];
  for (const u of UNITS.slice(0, 3)) if (span >= u.us) unit = u;
  return unit;
}

/** `12.5 ms` — a time with at most `digits` significant digits, in the unit that suits it. */
export function formatTime(us: number, digits = 4): string {
  if (us === 0) return '0';
  const unit = unitFor(us);
  return `${trimNumber(us / unit.us, digits)} ${unit.suffix}`;
}

/** Tick steps (µs) for long spans: whole minutes and hours rather than decimal seconds. */
const CLOCK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * 60_000_000);

/**
 * About `count` ticks for the window [t0, t1], at round steps (1, 2, 5 × 10^k µs; whole minutes
 * or hours for windows of 20 min and more), labelled in one unit with as many decimals as the step
 * needs — so adjacent ticks never print the same text.
 */
export function timeTicks(t0: number, t1: number, count: number): { values: number[]; format: (us: number) => string } {
  const span = Math.max(1e-9, t1 - t0);
  const rough = span / Math.max(1, count);
  let step: number;
  if (span >= 1_200_000_000) step = CLOCK_STEPS.find((s) => s >= rough) ?? CLOCK_STEPS[CLOCK_STEPS.length - 1];
  else {
    const power = 10 ** Math.floor(Math.log10(rough));
    step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  }
  const values: number[] = [];
  for (let v = Math.ceil(t0 / step) * step; v <= t1 + step * 1e-9; v += step) values.push(Math.round(v * 1e6) / 1e6);
  return { values, format: tickFormatter(span, step) };
}

/** Labels for ticks `stepUs` apart on a window `spanUs` wide, all in the same unit. */
function tickFormatter(spanUs: number, stepUs: number): (us: number) => string {
  const unit = unitFor(spanUs);
  const step = stepUs / unit.us;
  const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
  return (us) => (us === 0 ? '0' : `${(us / unit.us).toFixed(decimals)} ${unit.suffix}`);
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function trimNumber(value: number, digits: number): string {
  return String(Number(value.toPrecision(digits)));
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
