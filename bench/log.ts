/**
 * Log benchmark: a 3-broker, 12-partition cluster (RF 3, min.insync.replicas 2, acks=all) taking
 * 100 000 events/s of 1 KiB for 60 simulated seconds, with the trace hashed as in every run. It
 * reports how many kernel events and produced events the simulator gets through per wall-clock
 * second, and simulated time over wall time.
 *
 *   node --import=tsx bench/log.ts                 (npm run bench:log)
 *   node --import=tsx bench/log.ts --seconds 10    (a shorter run)
 *   node --import=tsx bench/log.ts --batch 16KiB   (Kafka's default batch.size; the default here is 256KiB)
 *
 * Batching is the lever, as in Kafka: the simulator's cost is per message and per record, so a
 * producer that sends 16-event batches (Kafka's 16 KiB default with 1 KiB events) costs about ten
 * times more per event than one sending 256-event batches. Both are printed when `--compare` is
 * given, measured in the same process.
 *
 * Wall-clock time is read here on purpose: this is a benchmark, outside the simulation.
 */
import { performance } from 'node:perf_hooks';
import { MS, SECOND, TraceWriter } from '../src/kernel/index.ts';
import { LogProducer, spawnLogCluster, type TopicConfig } from '../src/features/log/actors/index.ts';
import { World } from '../src/world/index.ts';

interface Options {
  seconds: number;
  ratePerSec: number;
  batchBytes: number;
  eventBytes: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function bytes(text: string): number {
  const m = /^(\d+)(KiB|MiB)?$/.exec(text);
  if (m === null) throw new Error(`--batch: expected e.g. 16KiB, got ${text}`);
  return Number(m[1]) * (m[2] === 'MiB' ? 1 << 20 : m[2] === 'KiB' ? 1024 : 1);
}

function runOnce(options: Options) {
  const world = new World({ seed: 1, trace: new TraceWriter() });
  world.addSite('hpc', { nodes: 3 });
  world.addSite('beamline', { nodes: 1 });
  world.link('beamline', 'hpc', { latencyUs: 500 });
  const topic: TopicConfig = { name: 'frames', partitions: 12, replicationFactor: 3, minInsyncReplicas: 2, uncleanLeaderElection: false, retentionUs: null, retentionBytes: null, segmentBytes: 1 << 30 };
  const cluster = spawnLogCluster(world, { name: 'log', brokerNodes: ['hpc-1', 'hpc-2', 'hpc-3'], controllerNode: 'hpc-1' }, { topics: [topic] });
  world.spawn('detector', 'beamline-1', () =>
    new LogProducer(
      {
        topic: 'frames',
        brokers: cluster.brokers,
        controller: cluster.controller,
        ratePerSec: options.ratePerSec,
        eventBytes: options.eventBytes,
        acks: -1,
        lingerUs: 5 * MS,
        batchBytes: options.batchBytes,
        requestTimeoutUs: 30 * SECOND,
        retries: 10,
        retryBackoffUs: 100 * MS,
        deliveryTimeoutUs: 120 * SECOND,
        maxInFlight: 5,
        idempotence: true,
        partitioner: 'sticky',
        keys: 16,
        stopAtUs: options.seconds * SECOND,
      },
      topic.partitions,
    ),
  );
  let produced = 0;
  let acked = 0;
  world.trace.listen((r) => {
    if (r.k !== 'client') return;
    const n = (r.events as string[]).length;
    if (r.op === 'produce') produced += n;
    else if (r.op === 'ack') acked += n;
  });
  const started = performance.now();
  const result = world.run({ until: options.seconds * SECOND + 2 * SECOND });
  const wallSec = (performance.now() - started) / 1000;
  const simSec = result.simulatedTimeUs / SECOND;
  return { produced, acked, events: result.events, records: result.records, wallSec, simSec, heapMiB: process.memoryUsage().heapUsed / (1 << 20) };
}

function report(label: string, options: Options): void {
  const r = runOnce(options);
  const line = (k: string, v: string) => process.stdout.write(`  ${k.padEnd(34)} ${v}\n`);
  process.stdout.write(`\n${label}: ${options.ratePerSec} events/s of ${options.eventBytes} B, batch.size ${options.batchBytes} B, ${options.seconds} s simulated (+2 s to drain)\n`);
  line('produced / acknowledged events', `${r.produced} / ${r.acked}`);
  line('kernel events / trace records', `${r.events} / ${r.records}`);
  line('wall time', `${r.wallSec.toFixed(1)} s`);
  line('produced events per wall second', `${Math.round(r.produced / r.wallSec)}`);
  line('kernel events per wall second', `${Math.round(r.events / r.wallSec)}`);
  line('simulated / wall time', `${(r.simSec / r.wallSec).toFixed(3)}`);
  line('JS heap at the end', `${r.heapMiB.toFixed(0)} MiB`);
}

const base: Options = {
  seconds: Number(arg('seconds') ?? 60),
  ratePerSec: Number(arg('rate') ?? 100_000),
  batchBytes: bytes(arg('batch') ?? '256KiB'),
  eventBytes: 1024,
};
process.stdout.write(`log benchmark · 3 brokers · 12 partitions · RF 3 · acks=all · Node ${process.version}\n`);
report('run', base);
if (process.argv.includes('--compare')) report("Kafka's default batch.size", { ...base, batchBytes: 16 * 1024 });
