/**
 * Random faults for the log's property test: a seeded generator (its own stream, independent of the
 * simulation's) draws node power losses, process crashes and network partitions over the safety
 * phase; every fault heals before it ends, so the final phase runs fault-free.
 */
import { deriveRng, MS, SECOND, type Micros } from '../../../src/kernel/index.ts';
import type { LogWorld } from './_harness.ts';

export interface FaultPlan {
  readonly description: string[];
}

export function randomFaults(run: LogWorld, seed: number, safetyUs: Micros, count: number): FaultPlan {
  const rng = deriveRng(seed, 'test', 'faults');
  const nodes = ['hpc-1', 'hpc-2', 'hpc-3', 'hpc-ctl'];
  const description: string[] = [];
  const downUntil = new Map<string, Micros>();
  for (let i = 0; i < count; i++) {
    const at = rng.int(200 * MS, safetyUs - 300 * MS);
    const length = rng.int(50 * MS, Math.min(3 * SECOND, safetyUs - at));
    const kind = rng.pick(['power', 'power', 'process', 'partition', 'partition'] as const);
    if (kind === 'partition') {
      const shuffled = [...nodes, 'beamline'].map((n) => [rng.next(), n] as const).sort((a, b) => a[0] - b[0]).map(([, n]) => n);
      const cut = rng.int(1, shuffled.length - 1);
      const from = shuffled.slice(0, cut);
      const to = shuffled.slice(cut);
      run.partition(`p${i}`, from, to, at, length);
      description.push(`${at}: partition ${from.join(',')} | ${to.join(',')} for ${length}`);
      continue;
    }
    const node = rng.pick(nodes);
    if ((downUntil.get(node) ?? -1) >= at) continue;
    downUntil.set(node, at + length);
    if (kind === 'power') {
      run.crashNode(node, at, length);
      description.push(`${at}: power loss ${node} for ${length}`);
    } else {
      const actor = node === 'hpc-ctl' ? 'log-controller' : `log-broker-${node.slice(4)}`;
      run.at(at, `crash ${actor}`, (w) => w.crashActor(actor, 'test'));
      run.at(at + length, `restart ${actor}`, (w) => w.restartActor(actor, 'test'));
      description.push(`${at}: process crash ${actor} for ${length}`);
    }
  }
  return { description };
}
