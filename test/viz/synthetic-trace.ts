/**
 * Synthetic traces in the documented JSONL format, for the timeline's tests and benchmark.
 *
 * `TraceBuilder` reads like the scenario (`trace.message('producer', 'broker', 'produce', { at: 1000,
 * latency: 400 })`, `trace.crash('broker', { at: 5000, until: 9000 })`); records may be added in any
 * order and are written in `(t, insertion)` order with each actor's `n` counted and every `recv` or
 * `drop` pointing at its send's `n`. Records are emitted as soon as `flushBefore(t)` allows, so the
 * large generator in `synthetic-workload.ts` streams 10^6 records without holding them.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

export interface Placement {
  id: string;
  node: string;
  site: string;
}

/** A send whose `n` is known once it is written; a recv or drop refers to it. */
export interface SendRef {
  from: string;
  to: string;
  msg: string;
  n?: number;
}

interface Pending {
  t: number;
  seq: number;
  a: string;
  k: string;
  fields: Record<string, unknown>;
  send?: SendRef;
  /** The send this record answers; its `n` becomes the record's `s`. */
  of?: SendRef;
}

export class TraceBuilder {
  private readonly heap: Pending[] = [];
  private readonly counters = new Map<string, number>();
  private readonly out: string[] = [];
  private seq = 0;
  private stream: WriteStream | undefined;
  private lastT = 0;
  records = 0;

  constructor(
    readonly meta: { scenario: string; seed: number; actors: Placement[]; durationUs: number },
  ) {
    const sites = new Map<string, string[]>();
    for (const actor of meta.actors) {
      const nodes = sites.get(actor.site) ?? [];
      if (!nodes.includes(actor.node)) nodes.push(actor.node);
      sites.set(actor.site, nodes);
    }
    this.emit({
      t: 0, k: 'meta', a: 'world', n: this.next('world'), v: 1, scenario: meta.scenario, seed: meta.seed,
      actors: meta.actors, sites: [...sites].map(([id, nodes]) => ({ id, role: id, nodes })),
      durationUs: meta.durationUs, endUs: meta.durationUs,
    });
  }

  /** Starts writing to a file; records already flushed are written first. */
  writeTo(path: string): this {
    this.stream = createWriteStream(path);
    this.stream.write(this.out.splice(0).join(''));
    return this;
  }

  record(at: number, actor: string, kind: string, fields: Record<string, unknown> = {}): this {
    this.push({ t: at, seq: this.seq++, a: actor, k: kind, fields });
    return this;
  }

  send(at: number, from: string, to: string, msg: string, bytes = 64): SendRef {
    const ref: SendRef = { from, to, msg };
    this.push({ t: at, seq: this.seq++, a: from, k: 'send', fields: { to, msg, bytes }, send: ref });
    return ref;
  }

  recv(at: number, ref: SendRef): this {
    this.push({ t: at, seq: this.seq++, a: ref.to, k: 'recv', fields: { from: ref.from, msg: ref.msg }, of: ref });
    return this;
  }

  /** A drop at the sender (`at: 'send'`, the message never left) or at the receiver on arrival. */
  drop(at: number, ref: SendRef, cause: string, where: 'send' | 'arrival'): this {
    const fields = where === 'send' ? { to: ref.to, msg: ref.msg } : { from: ref.from, msg: ref.msg };
    this.push({ t: at, seq: this.seq++, a: where === 'send' ? ref.from : ref.to, k: 'drop', fields: { ...fields, cause }, of: ref });
    return this;
  }

  /** A message that arrives after `latency` µs. */
  message(from: string, to: string, msg: string, options: { at: number; latency: number; bytes?: number }): SendRef {
    const ref = this.send(options.at, from, to, msg, options.bytes);
    this.recv(options.at + options.latency, ref);
    return ref;
  }

  crash(actor: string, options: { at: number; until?: number; scope?: string; reason?: string }): this {
    const scope = options.scope ?? 'process';
    this.record(options.at, actor, 'crash', { scope, reason: options.reason ?? 'fault' });
    if (options.until !== undefined) this.record(options.until, actor, 'restart', { scope, reason: 'repair' });
    return this;
  }

  /** A fault band at `world`: start and (if `until`) end records. */
  fault(id: string, kind: string, options: { at: number; until?: number; targets: string[]; from?: string[]; to?: string[] }): this {
    const { at, until, ...rest } = options;
    this.record(at, 'world', 'fault', { fault: id, kind, phase: 'start', ...rest });
    if (until !== undefined) this.record(until, 'world', 'fault', { fault: id, kind, phase: 'end', ...rest });
    return this;
  }

  client(at: number, actor: string, op: string, events: Array<string | number>): this {
    return this.record(at, actor, 'client', { op, events });
  }

  /** Writes every record earlier than `t` (they can no longer be preceded by a new one). */
  flushBefore(t: number): void {
    while (this.heap.length > 0 && this.heap[0].t < t) this.write(this.pop());
    if (this.stream !== undefined && this.out.length > 0) this.stream.write(this.out.splice(0).join(''));
  }

  /** Writes everything and closes the file; returns the lines when no file was given. */
  async finish(): Promise<string> {
    this.flushBefore(Infinity);
    const stream = this.stream;
    if (stream === undefined) return this.out.join('');
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
    return '';
  }

  private write(p: Pending): void {
    if (p.t < this.lastT) throw new Error(`synthetic trace: record at ${p.t} added after ${this.lastT} was written`);
    this.lastT = p.t;
    const n = this.next(p.a);
    if (p.send !== undefined) p.send.n = n;
    const s = p.of === undefined ? {} : { s: p.of.n };
    if (p.of !== undefined && p.of.n === undefined) throw new Error(`synthetic trace: ${p.k} at ${p.t} precedes its send`);
    this.emit({ t: p.t, k: p.k, a: p.a, n, ...p.fields, ...s });
  }

  private emit(record: Record<string, unknown>): void {
    this.records++;
    this.out.push(JSON.stringify(record) + '\n');
    if (this.stream !== undefined && this.out.length >= 4096) this.stream.write(this.out.splice(0).join(''));
  }

  private next(actor: string): number {
    const n = this.counters.get(actor) ?? 0;
    this.counters.set(actor, n + 1);
    return n;
  }

  private push(p: Pending): void {
    if (p.t < this.lastT) throw new Error(`synthetic trace: record at ${p.t} is before already written ${this.lastT}`);
    const heap = this.heap;
    heap.push(p);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): Pending {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l], heap[m])) m = l;
        if (r < heap.length && before(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  }
}

const before = (x: Pending, y: Pending): boolean => x.t < y.t || (x.t === y.t && x.seq < y.seq);

/**
 * The small drill the browser tests draw: two sites, a crash of broker-1 at 12 ms (repaired at
 * `repairAt`), a partition from 24 to 30 ms, acks, errors and drops.
 */
export function drillTrace(options: { repairAt?: number; durationUs?: number } = {}): TraceBuilder {
  const repairAt = options.repairAt ?? 20_000;
  const trace = new TraceBuilder({
    scenario: 'viz-drill', seed: 7, durationUs: options.durationUs ?? 40_000,
    actors: [
      { id: 'producer', node: 'edge-1', site: 'edge' },
      { id: 'broker-1', node: 'hpc-1', site: 'hpc' },
      { id: 'broker-2', node: 'hpc-2', site: 'hpc' },
      { id: 'consumer', node: 'hpc-2', site: 'hpc' },
    ],
  });
  for (let i = 0; i < 12; i++) {
    const at = 1_000 + i * 3_000;
    const id = `e${i}`;
    const down = at >= 12_000 && at < repairAt;
    const cut = at >= 24_000 && at < 30_000;
    trace.client(at, 'producer', 'produce', [id]);
    if (cut) {
      trace.drop(at, trace.send(at, 'producer', 'broker-1', 'produce', 2048), 'partition', 'send');
      trace.client(at + 2_000, 'producer', 'error', [id]);
      continue;
    }
    const produce = trace.send(at, 'producer', 'broker-1', 'produce', 2048);
    if (down) {
      trace.drop(at + 400, produce, 'dead', 'arrival');
      trace.client(at + 2_000, 'producer', 'error', [id]);
      continue;
    }
    trace.recv(at + 400, produce);
    trace.record(at + 450, 'broker-1', 'disk', { op: 'fsync', bytes: 2048, file: 'log-0' });
    trace.message('broker-1', 'broker-2', 'replicate', { at: at + 500, latency: 300, bytes: 2048 });
    trace.message('broker-2', 'broker-1', 'replicate-ack', { at: at + 850, latency: 300 });
    trace.message('broker-1', 'producer', 'produce-ack', { at: at + 1_200, latency: 400 });
    trace.client(at + 1_600, 'producer', 'ack', [id]);
    trace.message('consumer', 'broker-2', 'fetch', { at: at + 1_700, latency: 100 });
    trace.record(at + 2_500, 'consumer', 'timer', { name: 'poll' });
  }
  // Kinds the protocols will write, and one nobody knows: drawn as glyphs, every field on hover.
  trace.record(22_500, 'broker-1', 'log', { topic: 'projections', partition: 0, offset: 7, epoch: 2, op: 'append' });
  trace.record(35_000, 'broker-2', 'ckpt', { op: 'end', strategy: 'stream-replay', tier: 'site-pfs', bytes: 1 << 20 });
  trace.record(36_000, 'consumer', 'state', { digest: '9f2c' });
  trace.record(37_000, 'broker-2', 'gc-pause', { pauseUs: 800 });
  trace.crash('broker-1', { at: 12_000, until: repairAt, reason: 'node-crash' });
  trace.fault('f1', 'node-crash', { at: 12_000, until: repairAt, targets: ['hpc-1'] });
  trace.fault('p1', 'partition', { at: 24_000, until: 30_000, targets: ['edge', 'hpc'], from: ['edge'], to: ['hpc'] });
  return trace;
}
