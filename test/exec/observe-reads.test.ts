/**
 * A run's checkers and metrics are handed only the records they declare they read (their kinds,
 * ops and field: kernel/contract/reads.ts, exec/observe.ts). Declaring less must change nothing:
 * on scenarios whose records exercise every filter declared (a log's elections, ISR changes and
 * high-watermark moves beside its replicas' appends, a controller quorum's failovers, producers'
 * and stores' coverage marks), each verdict and each metric equals the one a second instance gives
 * when handed every record.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { verdictFor } from '../../src/check/index.ts';
import { execute } from '../../src/exec/run.ts';
import { TraceWriter } from '../../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../../src/scenario/index.ts';

const scenarios = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** JSON's view of a value: what a summary writes. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

for (const name of ['drills/log-unclean-election', 'drills/log-kip966-site-power-loss', 'drills/log-controller-quorum', 'drills/forward-field-station', 'beamline-store']) {
  test(`${name}: every check and metric, handed the records it declares, judges and measures as when handed every record`, (t) => {
    const scenario = loadScenarioFile(`${scenarios}${name}.yaml`);
    const trace = new TraceWriter();
    // A second instance of each check and metric (another build of the same scenario), fed every record.
    const unfiltered = prepareRun(scenario, { trace: new TraceWriter() });
    const checkers = unfiltered.checks.map((definition) => definition.create());
    for (const observer of [...checkers, ...unfiltered.metrics]) trace.listen((record) => observer.observe(record));
    const summary = execute(prepareRun(scenario, { trace }));
    t.true(summary.records > 0);
    t.deepEqual(Object.keys(summary.checks), unfiltered.checks.map((c) => c.name));
    checkers.forEach((checker, i) => t.deepEqual(summary.checks[checker.name], plain(verdictFor(unfiltered.checks[i]!, checker)), checker.name));
    t.deepEqual(Object.keys(summary.metrics), unfiltered.metrics.map((m) => m.name));
    for (const metric of unfiltered.metrics) t.deepEqual(summary.metrics[metric.name], plain(metric.result({ lastUs: trace.lastTime })), metric.name);
  });
}
