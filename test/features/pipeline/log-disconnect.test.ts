/**
 * Pipeline operators over a log are Kafka clients: when a broker's process dies on a live host, the
 * operator hears its connections close (kernel/contract/disconnect.ts) and fails what is out to that
 * broker at once — the log-topic checkpoint tier's requests, and the stream transport's fetches and
 * produce requests (forward/actors/log-source.ts, sink.ts) — instead of waiting out their timeouts.
 * Operators that talk to no log stay deaf to a peer's death, as before.
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { SECOND, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../../../src/scenario/index.ts';
import { ROOT } from '../../cli/cli.ts';

const CRASH_US = 10 * SECOND;
const OPERATORS = ['detector', 'recon-1', 'recon-2', 'denoise'];

function run(target: string) {
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  trace.listen((r) => {
    if (r.k === 'conn' || (r.k === 'send' && OPERATORS.includes(r.a))) records.push(r);
  });
  const sets = ['faults[0].kind=process-crash', `faults[0].target=${target}`];
  const summary = execute(prepareRun(loadScenarioFile(`${ROOT}/scenarios/drills/checkpoint-log-topic.yaml`, sets), { trace }));
  return { summary, records };
}

test('the checkpoint topic\'s broker process dies: every operator hears it at once and its tier asks another broker', (t) => {
  const { summary, records } = run('ckpt-broker-1');
  t.true(summary.checks['state-equals-reference']!.ok);
  for (const operator of OPERATORS) {
    const closed = records.find((r) => r.k === 'conn' && r.a === operator && r.t >= CRASH_US);
    t.like(closed, { peer: 'ckpt-broker-1', cause: 'closed' }, operator);
    t.true(closed!.t - CRASH_US < 5_000, `${operator} heard at ${closed!.t}`);
  }
  // A tier request out to the dead broker failed: the next goes to a live broker within a second, not at its timeout.
  const next = records.find((r) => r.k === 'send' && r.a === 'denoise' && r.t > CRASH_US && (r.to === 'ckpt-broker-2' || r.to === 'ckpt-broker-3'));
  t.truthy(next);
  t.true(next!.t - CRASH_US < 1 * SECOND, `denoise asked ${next!.to} at ${next!.t}`);
});
