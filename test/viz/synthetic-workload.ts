/**
 * A large synthetic trace for the timeline's benchmark and scale test: producers at edge sites
 * send events to brokers at an HPC site, which replicate to each other, acknowledge, and serve
 * consumers; brokers keep heartbeat timers and fsync. One broker crashes and restarts, and a
 * partition cuts the edge off for a while — messages in those windows are dropped with the cause.
 *
 * Deterministic (a fixed linear congruential generator), streamed to disk as it is generated, and
 * sized by the number of records wanted (within about 1%).
 */
import { TraceBuilder, type Placement } from './synthetic-trace.ts';

export interface WorkloadOptions {
  records: number;
  /** Producers (edge) and brokers (HPC); consumers are half the brokers. */
  producers?: number;
  brokers?: number;
  /** Mean gap between produce requests, µs. */
  gapUs?: number;
  seed?: number;
}

/** Writes the trace to `path`; returns the number of records written. */
export async function writeWorkloadTrace(path: string, options: WorkloadOptions): Promise<number> {
  const producers = options.producers ?? 8;
  const brokers = options.brokers ?? 4;
  const consumers = Math.max(1, brokers >> 1);
  const gap = options.gapUs ?? 200;
  // One produce round writes about 14.3 records, fetches and timers included (measured).
  const rounds = Math.ceil(options.records / 14.3);
  const durationUs = rounds * gap + 50_000;
  let state = (options.seed ?? 1) >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo));
  const actors: Placement[] = [
    ...Array.from({ length: producers }, (_, i) => ({ id: `producer-${i + 1}`, node: `edge-${(i % 4) + 1}`, site: i % 2 ? 'beamline' : 'edge' })),
    ...Array.from({ length: brokers }, (_, i) => ({ id: `broker-${i + 1}`, node: `hpc-${i + 1}`, site: 'hpc' })),
    ...Array.from({ length: consumers }, (_, i) => ({ id: `consumer-${i + 1}`, node: `cloud-${i + 1}`, site: 'cloud' })),
  ];
  const trace = new TraceBuilder({ scenario: 'synthetic-workload', seed: options.seed ?? 1, actors, durationUs }).writeTo(path);
  const crashAt = Math.floor(durationUs * 0.3);
  const restartAt = Math.floor(durationUs * 0.4);
  const cutFrom = Math.floor(durationUs * 0.6);
  const cutTo = Math.floor(durationUs * 0.68);
  const down = (actor: string, t: number) => actor === 'broker-1' && t >= crashAt && t < restartAt;
  trace.crash('broker-1', { at: crashAt, until: restartAt, scope: 'node', reason: 'node-crash' });
  trace.fault('crash-1', 'node-crash', { at: crashAt, until: restartAt, targets: ['hpc-1'] });
  trace.fault('cut-1', 'partition', { at: cutFrom, until: cutTo, targets: ['edge', 'beamline', 'hpc'], from: ['edge', 'beamline'], to: ['hpc'] });
  let t = 1_000;
  let event = 0;
  for (let round = 0; round < rounds; round++) {
    t += between(1, 2 * gap);
    trace.flushBefore(t);
    const producer = `producer-${between(1, producers + 1)}`;
    const leader = `broker-${between(1, brokers + 1)}`;
    const id = event++;
    trace.client(t, producer, 'produce', [id]);
    const produce = trace.send(t, producer, leader, 'produce', 1024 * between(1, 64));
    if (t >= cutFrom && t < cutTo) {
      trace.drop(t, produce, 'partition', 'send');
      trace.client(t + 5_000, producer, 'error', [id]);
      continue;
    }
    let at = t + between(300, 1_500);
    if (down(leader, at)) {
      trace.drop(at, produce, 'dead', 'arrival');
      trace.client(t + 5_000, producer, 'error', [id]);
      continue;
    }
    trace.recv(at, produce);
    trace.record(at + 20, leader, 'disk', { op: 'fsync', bytes: 4096, file: `${leader}.log` });
    let acked = at + 60;
    for (let f = 0; f < 2; f++) {
      const follower = `broker-${((Number(leader.split('-')[1]) + f) % brokers) + 1}`;
      const sentAt = at + 40 + f;
      const replicate = trace.send(sentAt, leader, follower, 'replicate', 4096);
      const arrives = sentAt + between(50, 200);
      if (down(follower, arrives)) {
        trace.drop(arrives, replicate, 'dead', 'arrival');
        continue;
      }
      trace.recv(arrives, replicate);
      const ack = trace.send(arrives + 10, follower, leader, 'replicate-ack');
      const back = arrives + 10 + between(50, 200);
      if (down(leader, back)) trace.drop(back, ack, 'dead', 'arrival');
      else trace.recv(back, ack);
      acked = Math.max(acked, back);
    }
    at = acked + 10;
    if (down(leader, at)) continue;
    trace.message(leader, producer, 'produce-ack', { at, latency: between(300, 1_500) });
    trace.client(at + 1_600, producer, 'ack', [id]);
    if (round % 4 === 0) trace.message(`consumer-${between(1, consumers + 1)}`, leader, 'fetch', { at: t + 5, latency: between(100, 400) });
    if (round % 8 === 0) trace.record(t + 7, leader, 'timer', { name: 'heartbeat' });
  }
  await trace.finish();
  return trace.records;
}
