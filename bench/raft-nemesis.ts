/**
 * The Raft nemesis sweep: runs scenarios/drills/raft-nemesis.yaml (five voters under crashes, power
 * losses with torn writes, process crashes, partitions, packet loss and clock skew) over many seeds
 * and counts the runs each Raft checker fails, printing the command that reproduces the first few.
 *
 *   node --import=tsx bench/raft-nemesis.ts --seeds 1000                  (the issue's bar: 0 failing runs)
 *   node --import=tsx bench/raft-nemesis.ts --seeds 200 --from 1001       (another range)
 *   node --import=tsx bench/raft-nemesis.ts --seeds 300 --set raft.unsafe.skip-vote-fsync=true
 *
 * A run that throws (a broken assertion inside the engine) counts as a failure too. Exit code 1 when
 * any run failed. Wall time is not read: only simulated outcomes are reported.
 */
import { TraceWriter } from '../src/kernel/index.ts';
import { execute } from '../src/exec/run.ts';
import { loadScenarioFile, prepareRun } from '../src/scenario/index.ts';

const SCENARIO = 'scenarios/drills/raft-nemesis.yaml';

function args(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}` && process.argv[i + 1] !== undefined) out.push(process.argv[i + 1]!);
  });
  return out;
}

const seeds = Number(args('seeds')[0] ?? 100);
const from = Number(args('from')[0] ?? 1);
const sets = args('set');
const failing = new Map<string, number[]>();
let elections = 0;
let committed = 0;
for (let seed = from; seed < from + seeds; seed++) {
  let failed: string[] = [];
  try {
    const summary = execute(prepareRun(loadScenarioFile(SCENARIO, [...sets, `seed=${seed}`]), { trace: new TraceWriter() }));
    failed = Object.entries(summary.checks).filter(([, v]) => !v.ok).map(([name]) => name);
    const raft = summary.metrics.raft as { elections: number; committed: number };
    elections += raft.elections;
    committed += raft.committed;
  } catch (error) {
    failed = [`threw: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`];
  }
  for (const name of failed) failing.set(name, [...(failing.get(name) ?? []), seed]);
  if ((seed - from + 1) % 50 === 0) process.stderr.write(`${seed - from + 1}/${seeds} seeds, ${[...failing.values()].flat().length} failures\n`);
}
console.log(`${SCENARIO} ${sets.join(' ')}: ${seeds} seeds (${from}..${from + seeds - 1}), ${elections} elections, ${committed} entries committed (sum of the highest commit index per run)`);
if (failing.size === 0) console.log('0 violations');
for (const [name, list] of failing) {
  console.log(`FAIL ${name}: ${list.length} run(s), seeds ${list.slice(0, 10).join(', ')}${list.length > 10 ? ' …' : ''}`);
  console.log(`  reproduce: npx diaspora run ${SCENARIO} --seed ${list[0]} ${sets.map((s) => `--set ${s}`).join(' ')} --trace`);
}
process.exitCode = failing.size === 0 ? 0 : 1;
