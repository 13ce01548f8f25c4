/**
 * How fast can a coordinator and two worker threads exchange one window's batch?
 *
 * The parallel simulator (src/exec/parallel) ends every window with a barrier at which each
 * worker hands over the messages it sent to other partitions and the trace records it wrote, and
 * receives the messages addressed to it. This measures that round trip alone — no simulation —
 * for three ways of moving a batch between threads:
 *
 *   - clone:    `postMessage` of the batch object (structured clone by the runtime);
 *   - transfer: the batch `v8.serialize`d into a buffer whose ArrayBuffer is transferred (moved,
 *               not copied) with `postMessage`, then `v8.deserialize`d;
 *   - shared:   a SharedArrayBuffer mailbox per worker and direction, `Atomics.wait`/`notify` as
 *               the barrier (no event loop involved); tags copied as raw doubles, trace lines
 *               encoded as UTF-8 straight into shared memory, messages `v8.serialize`d.
 *
 * Each window carries `batch` messages each way (shaped like a store's produce request) and
 * `2 × batch` trace lines plus their merge tags back to the coordinator. Reported: windows per
 * second and messages per second, the median of three rounds. Wall-clock time is read here on
 * purpose: this is a benchmark.
 */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export type ExchangeMode = 'clone' | 'transfer' | 'shared';
export const EXCHANGE_MODES: readonly ExchangeMode[] = ['clone', 'transfer', 'shared'];

interface Batch {
  msgs: unknown[];
  lines: string;
  tags: Float64Array;
}

const MAILBOX_BYTES = 32 << 20;
/**
 * Mailbox header (Int32 slots): the sequence number of the last batch written (the doorbell), then
 * the batch's tag count (-1: stop), trace-line bytes and message bytes.
 */
const SEQ = 0;
const LEN = 1;
const LINES = 2;
const MSGS = 3;
const HEADER_BYTES = 16;

function makeBatch(size: number, salt: number): Batch {
  const msgs: unknown[] = [];
  let lines = '';
  const tags = new Float64Array(size * 2 * 4);
  for (let i = 0; i < size; i++) {
    msgs.push({ t: 1_000_000 + i, o: 3, s: salt + i, to: 7, n: i, m: { type: 'produce', req: salt + i, events: [`detector-${salt + i}`], eventBytes: 8_388_608 } });
    for (let r = 0; r < 2; r++) {
      lines += `{"t":${1_000_000 + i},"k":"recv","a":"store","n":${2 * i + r},"from":"detector","msg":"produce","s":${i}}\n`;
      tags.set([1_000_000 + i, 3 * 2 ** 32 + i, 0, r], (2 * i + r) * 4);
    }
  }
  return { msgs, lines, tags };
}

// ------------------------------------------------------------------------------------------------
// Mailboxes over shared memory: one writer, one reader, a sequence number as the doorbell.

class Mailbox {
  readonly ctl: Int32Array;
  readonly bytes: Uint8Array;
  private seq = 0;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  constructor(readonly sab: SharedArrayBuffer) {
    this.ctl = new Int32Array(sab, 0, 4);
    this.bytes = new Uint8Array(sab, HEADER_BYTES);
  }

  /**
   * Writes a batch without a serialiser where none is needed: the tags as raw doubles, the trace
   * lines as UTF-8 straight into shared memory, only the messages through `v8.serialize`.
   * `null` is the stop signal.
   */
  post(batch: Batch | null): void {
    if (batch === null) {
      Atomics.store(this.ctl, LEN, -1);
    } else {
      const tagBytes = batch.tags.length * 8;
      new Float64Array(this.sab, HEADER_BYTES, batch.tags.length).set(batch.tags);
      const { written } = this.encoder.encodeInto(batch.lines, this.bytes.subarray(tagBytes));
      if (written < batch.lines.length) throw new Error('batch exceeds the mailbox');
      const msgs = v8.serialize(batch.msgs);
      this.bytes.set(msgs, tagBytes + written);
      Atomics.store(this.ctl, LEN, batch.tags.length);
      Atomics.store(this.ctl, LINES, written);
      Atomics.store(this.ctl, MSGS, msgs.length);
    }
    Atomics.store(this.ctl, SEQ, ++this.seq);
    Atomics.notify(this.ctl, SEQ);
  }

  take(): Batch | null {
    const want = ++this.seq;
    while (Atomics.load(this.ctl, SEQ) < want) Atomics.wait(this.ctl, SEQ, want - 1);
    const tagCount = Atomics.load(this.ctl, LEN);
    if (tagCount < 0) return null;
    const lineBytes = Atomics.load(this.ctl, LINES);
    const msgBytes = Atomics.load(this.ctl, MSGS);
    const tags = new Float64Array(tagCount);
    tags.set(new Float64Array(this.sab, HEADER_BYTES, tagCount));
    const at = tagCount * 8;
    const lines = this.decoder.decode(this.bytes.subarray(at, at + lineBytes));
    const msgs = v8.deserialize(this.bytes.subarray(at + lineBytes, at + lineBytes + msgBytes)) as unknown[];
    return { msgs, lines, tags };
  }
}

// ------------------------------------------------------------------------------------------------
// The worker side: answer every inbound batch with an outbound one.

interface WorkerInit {
  mode: ExchangeMode;
  batch: number;
  inbox?: SharedArrayBuffer;
  outbox?: SharedArrayBuffer;
}

function workerMain(init: WorkerInit): void {
  const reply = makeBatch(init.batch, 1);
  if (init.mode === 'shared') {
    const inbox = new Mailbox(init.inbox!);
    const outbox = new Mailbox(init.outbox!);
    for (;;) {
      const inbound = inbox.take() as Batch | null;
      if (inbound === null) return;
      outbox.post(reply);
    }
  }
  parentPort!.on('message', (inbound: unknown) => {
    if (init.mode === 'clone') {
      parentPort!.postMessage(reply);
    } else {
      v8.deserialize(new Uint8Array(inbound as ArrayBuffer));
      const data = v8.serialize(reply);
      const buffer = data.buffer.byteLength === data.length ? data.buffer : data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
      parentPort!.postMessage(buffer, [buffer as ArrayBuffer]);
    }
  });
}

// ------------------------------------------------------------------------------------------------
// The coordinator side.

const SHIM = new URL('../src/exec/worker-shim.mjs', import.meta.url);

interface Peer {
  worker: Worker;
  /** Hands the worker its batch; `collect` waits for the reply (separate, so both run at once). */
  exchange(batch: Batch): Promise<void> | void;
  collect?(): void;
  close(): Promise<unknown>;
}

function startPeer(mode: ExchangeMode, batch: number): Peer {
  const init: WorkerInit = { mode, batch };
  if (mode === 'shared') {
    init.inbox = new SharedArrayBuffer(MAILBOX_BYTES);
    init.outbox = new SharedArrayBuffer(MAILBOX_BYTES);
  }
  const worker = new Worker(SHIM, { workerData: { entry: import.meta.url, exchange: init } });
  if (mode === 'shared') {
    const inbox = new Mailbox(init.inbox!);
    const outbox = new Mailbox(init.outbox!);
    return {
      worker,
      exchange: (b) => inbox.post(b),
      collect: () => void outbox.take(),
      // A worker blocked in Atomics.wait is told to stop through its mailbox.
      close: () => (inbox.post(null), worker.terminate()),
    };
  }
  let pending: (() => void) | undefined;
  worker.on('message', (m: unknown) => {
    if (mode === 'transfer') v8.deserialize(new Uint8Array(m as ArrayBuffer));
    const done = pending!;
    pending = undefined;
    done();
  });
  return {
    worker,
    close: () => worker.terminate(),
    exchange: (b) =>
      new Promise<void>((resolve) => {
        pending = resolve;
        if (mode === 'clone') {
          worker.postMessage(b);
        } else {
          const data = v8.serialize(b);
          const buffer = data.buffer.byteLength === data.length ? data.buffer : data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
          worker.postMessage(buffer, [buffer as ArrayBuffer]);
        }
      }),
  };
}

export interface ExchangeResult {
  mode: ExchangeMode;
  batch: number;
  windowsPerSec: number;
  messagesPerSec: number;
}

/** Windows per second for one mode and batch size, median of `rounds` timed runs. */
export async function measureExchange(mode: ExchangeMode, batch: number, seconds = 0.4, rounds = 3): Promise<ExchangeResult> {
  const peers = [startPeer(mode, batch), startPeer(mode, batch)];
  const outbound = makeBatch(batch, 0);
  const window = async () => {
    // The shared mode posts to every peer, then blocks on Atomics.wait for each reply in turn.
    if (mode === 'shared') {
      for (const p of peers) p.exchange(outbound);
      for (const p of peers) p.collect!();
    } else await Promise.all(peers.map((p) => p.exchange(outbound)));
  };
  for (let i = 0; i < 50; i++) await window(); // warm up, and wait for the workers to load
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let windows = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      await window();
      windows++;
    }
    rates.push(windows / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  await Promise.all(peers.map((p) => p.close()));
  const windowsPerSec = rates[Math.floor(rates.length / 2)];
  // Each window moves `batch` messages to each of two workers and `batch` back from each.
  return { mode, batch, windowsPerSec, messagesPerSec: windowsPerSec * batch * 4 };
}

if (!isMainThread && (workerData as { exchange?: WorkerInit }).exchange !== undefined) workerMain((workerData as { exchange: WorkerInit }).exchange);
