/**
 * Bounded runs: the work a scenario asks for is estimated before it runs (events from rates ×
 * duration × fan-out, memory from nodes and replicas), a scenario beyond the budget is refused
 * with the estimate and the field that causes it, every shipped scenario fits well inside the
 * default budget, and a run past `maxEvents` stops instead of running on.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execute } from '../../src/exec/run.ts';
import { InputError, TraceWriter } from '../../src/kernel/index.ts';
import { checkWorkBudget, DEFAULT_MAX_EVENTS, estimateWork, loadScenario, prepareRun } from '../../src/scenario/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO = readFileSync(`${ROOT}scenarios/beamline-store.yaml`, 'utf8');
const LOG = readFileSync(`${ROOT}scenarios/drills/log-min-isr-1.yaml`, 'utf8');
const demo = (...sets: string[]) => loadScenario(DEMO, 'demo.yaml', sets);

test('every shipped scenario fits the default budget at least ten times over', (t) => {
  const files = [...readdirSync(`${ROOT}scenarios`).filter((f) => f.endsWith('.yaml')).map((f) => `scenarios/${f}`), ...readdirSync(`${ROOT}scenarios/drills`).map((f) => `scenarios/drills/${f}`)];
  for (const file of files) {
    const scenario = loadScenario(readFileSync(`${ROOT}${file}`, 'utf8'), file);
    const estimate = checkWorkBudget(scenario, DEFAULT_MAX_EVENTS / 10);
    t.true(estimate.events >= 0 && estimate.bytes > 0, file);
  }
});

test('events grow with rate × duration, and the largest share names its field', (t) => {
  const base = estimateWork(demo()).events;
  t.true(base > 0);
  t.is(Math.round(estimateWork(demo('duration=120s')).events / base), 2);
  t.is(Math.round(estimateWork(demo('workload.detector.rate=30/s')).events / base), 3);
  const error = t.throws(() => checkWorkBudget(demo('duration=1000000h'), DEFAULT_MAX_EVENTS), { instanceOf: InputError });
  t.regex(error!.message, /^workload\.detector\.rate: the run would take about 216\.0 billion events \(10\/s for 1000000h: 216\.0 billion\), more than the budget of 200\.0 million \(--max-events\); make the run smaller or raise --max-events$/);
  // The same scenario fits a budget raised past its estimate.
  t.notThrows(() => checkWorkBudget(demo('duration=1000000h'), 1e12));
});

test('a feature contributes its share: a million log partitions are refused at their field', (t) => {
  const log = (partitions: number) => loadScenario(LOG, 'log.yaml', [`services.stream.topics.projections.partitions=${partitions}`]);
  t.true(estimateWork(log(10)).events > estimateWork(log(1)).events);
  const error = t.throws(() => checkWorkBudget(log(1_000_000), DEFAULT_MAX_EVENTS), { instanceOf: InputError });
  t.regex(error!.message, /^services\.stream\.topics\.projections\.partitions: the run would take about [\d.]+ million events \(1000000 partitions × 3 replicas: /);
});

test('memory beyond what the heap may hold is refused before the run', (t) => {
  const big = demo('sites.hpc.nodes=500000');
  t.notThrows(() => checkWorkBudget(big, DEFAULT_MAX_EVENTS, 2 ** 31));
  const error = t.throws(() => checkWorkBudget(big, DEFAULT_MAX_EVENTS, 2 ** 29), { instanceOf: InputError });
  t.regex(error!.message, /^sites\.hpc\.nodes: the run would need about 977 MiB of memory \(500000 nodes: 977 MiB\), more than this process may use \(512 MiB; node --max-old-space-size raises it\); make the run smaller$/);
});

test('a run past maxEvents stops with an input error and leaves no trace behind', (t) => {
  const prepared = prepareRun(demo('duration=600s'), { seed: 1, trace: new TraceWriter() });
  const error = t.throws(() => execute(prepared, { maxEvents: 1000 }), { instanceOf: InputError });
  t.regex(error!.message, /^the run of beamline-store passed its budget of 1,000 events at \S+ of 10m10s simulated; raise --max-events to let it finish$/);
});

test('a small budget is exact: a run of N events passes with maxEvents N and stops at N − 1', (t) => {
  const events = (maxEvents?: number) => {
    const prepared = prepareRun(demo('duration=30s'), { seed: 1, trace: new TraceWriter() });
    return execute(prepared, maxEvents === undefined ? {} : { maxEvents }).events;
  };
  const n = events();
  t.true(n > 2 && n < 16384, `a run shorter than one progress period (${n} events)`);
  t.is(events(n), n);
  const error = t.throws(() => events(n - 1), { instanceOf: InputError });
  t.regex(error!.message, new RegExp(`passed its budget of ${(n - 1).toLocaleString('en-US')} events`));
  t.regex(t.throws(() => events(1))!.message, /passed its budget of 1 event at/);
});
