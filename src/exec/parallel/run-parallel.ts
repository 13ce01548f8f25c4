/**
 * A parallel run: the world's actors split into partitions, one worker thread each, synchronised
 * conservatively in windows no longer than the lookahead.
 *
 * Each window `[T, T + lookahead)` every partition dispatches its own events alone: no message from
 * another partition can arrive inside it, since none is faster than the lookahead. At the barrier
 * the coordinator (this thread) collects each partition's batch — the messages it sent to other
 * partitions and the records it wrote — merges the records into the trace in single-thread order,
 * and hands each partition its inbound messages with the next window it runs. The next window
 * starts at the earliest pending event anywhere, so idle stretches of simulated time cost nothing,
 * and only the partitions with an event or a message in it are woken for it.
 *
 * Guarantee: the trace — and so its hash, the event count, the checks and the metrics — is the
 * one a single-thread run of the same recipe writes, for any number of workers and any
 * partitioning (test/exec/parallel/scenarios.test.ts checks it on every shipped scenario).
 *
 * How it fails: a bad partitioning is an `InputError` before any thread starts (see plan.ts). An
 * actor that throws in a worker is re-thrown here as the same `SimulationError` (actor, seed,
 * simulated time, event); any other failure of a worker stops the run too. Either way every thread
 * is terminated and the trace is aborted, so no partial trace looks complete.
 */
import { VERSION } from '../version.ts';
import { performance } from 'node:perf_hooks';
import { InputError, SimulationError, TraceWriter, type Micros, type RemoteMessage } from '../../kernel/index.ts';
import { buildFromRecipe, type WorldRecipe } from '../recipe.ts';
import { observeTrace, summarize, type RunSummary } from '../run.ts';
import { mergeWindow } from './merge.ts';
import { PartitionPool, type PartitionThread } from './partition-thread.ts';
import { planPartitions, type PartitionBy, type PartitionInfo, type PartitionPlan } from './plan.ts';
import { TAG_WIDTH, type RecordBatch, type WindowDone, type WorkerFailed } from './protocol.ts';

export interface ParallelOptions {
  /** Worker threads wanted (one per partition; fewer if there are fewer sites or groups). */
  workers: number;
  /** How actors are grouped into partitions; by site by default. */
  partitionBy?: PartitionBy;
  /** Where the merged trace goes; hash-only by default. */
  trace?: TraceWriter;
  /** Recorded in the summary; defaults to this package's version. */
  version?: string;
  /** Called now and then with the simulated time reached. */
  onProgress?: (nowUs: Micros, endUs: Micros) => void;
  /** Threads to take and give back, instead of starting and stopping this run's own. */
  pool?: PartitionPool;
}

export interface ParallelStats {
  partitions: (PartitionInfo & { events: number; busyMs: number })[];
  /** Window length, µs; null when no link crosses partitions (one window). */
  lookaheadUs: Micros | null;
  limitingLink?: string;
  /** Windows run (empty stretches of simulated time are skipped, not counted). */
  windows: number;
  /** Windows run by a partition's thread, summed over partitions: a partition with nothing to do in a window is not woken for it. */
  wakeups: number;
  /** Mean events dispatched per window, over all partitions. */
  eventsPerWindow: number;
  /** Messages that crossed between partitions. */
  crossMessages: number;
  /** Share of the workers' wall time not spent dispatching events: barriers, exchange, waiting. */
  barrierShare: number;
  /** Wall time to start the threads and build their worlds, ms (not in the summary's `wallTimeMs`). */
  startupMs: number;
}

export interface ParallelResult {
  summary: RunSummary;
  stats: ParallelStats;
}

export async function executeParallel(recipe: WorldRecipe, options: ParallelOptions): Promise<ParallelResult> {
  const trace = options.trace ?? new TraceWriter();
  const pool = options.pool ?? new PartitionPool();
  let threads: PartitionThread[] = [];
  let failed = false;
  try {
    // This thread's copy of the world is never run: it is planned from and names the checks.
    const prepared = await buildFromRecipe(recipe, new TraceWriter());
    const plan = planPartitions(prepared.world, { workers: options.workers, by: options.partitionBy });
    const observed = observeTrace(prepared, trace);
    const launched = performance.now();
    threads = pool.take(plan.partitions.length);
    const assign = (t: PartitionThread, partition: number) =>
      t.assign({ recipe, partition, partitionOf: plan.partitionOf, partitions: plan.partitions.length, writesWorld: partition === 0 }).catch(rethrow);
    const ready = await Promise.all(threads.map(assign));
    const started = performance.now();
    const barrier = new Barrier(plan, trace);
    barrier.absorb(ready as WindowDone[]);
    await barrier.runTo(prepared.endUs, threads, (now) => options.onProgress?.(now, prepared.endUs));
    const wallTimeMs = Math.round((performance.now() - started) * 10) / 10;
    const totals = { traceHash: trace.close(), events: barrier.events(), records: trace.records, simulatedTimeUs: prepared.endUs, wallTimeMs };
    const startupMs = Math.round(started - launched);
    return { summary: summarize(prepared, totals, observed, options.version ?? VERSION), stats: { ...barrier.stats(wallTimeMs), startupMs } };
  } catch (error) {
    failed = true;
    trace.abort();
    throw error;
  } finally {
    // Threads of a failed run may still be busy with its last window: they are not reused.
    await pool.give(threads, failed);
    if (options.pool === undefined) await pool.close();
  }
}

/** A window's records from a partition that was not woken for it. */
const NO_RECORDS: RecordBatch = { text: '', tags: new Float64Array(0) };

/** The first window's length when the lookahead is longer, µs. */
const FIRST_SPAN_US = 100_000;
/** Records per window the span adapts towards: a batch of a few MB. */
const TARGET_RECORDS = 50_000;

/** Halves a window that brought twice the target records, doubles one that brought under half. */
function nextSpan(span: Micros, lookahead: Micros, records: number): Micros {
  if (records > 2 * TARGET_RECORDS) return Math.max(1, Math.floor(span / 2));
  if (records < TARGET_RECORDS / 2 && span < lookahead) return Math.min(lookahead, span * 2);
  return span;
}

/** The coordinator's state between windows: what each partition reported, and what it is owed. */
class Barrier {
  private inbound: RemoteMessage[][];
  private last: WindowDone[] = [];
  private readonly busyMs: number[];
  private windows = 0;
  private wakeups = 0;
  private crossMessages = 0;

  constructor(
    private readonly plan: PartitionPlan,
    private readonly trace: TraceWriter,
  ) {
    this.inbound = plan.partitions.map(() => []);
    this.busyMs = plan.partitions.map(() => 0);
  }

  /** Takes the partitions' replies to one window: records into the trace, messages to their inboxes. */
  absorb(replies: readonly WindowDone[]): void {
    mergeWindow(
      replies.map((r) => r.records),
      this.trace,
    );
    replies.forEach((reply, p) => {
      this.busyMs[p] += reply.busyMs ?? 0;
      reply.outbound.forEach((messages, to) => {
        for (const m of messages) this.inbound[to].push(m);
        this.crossMessages += messages.length;
      });
    });
    this.last = [...replies];
  }

  async runTo(endUs: Micros, threads: readonly PartitionThread[], progress: (now: Micros) => void): Promise<void> {
    const lookahead = this.plan.lookaheadUs;
    // Windows are at most the lookahead long, and shorter when one would hold too many records
    // to pass in one batch (with one partition the lookahead is unbounded: the whole run).
    let span = Math.min(lookahead, FIRST_SPAN_US);
    for (let start = this.nextStart(); start <= endUs; start = this.nextStart()) {
      const until = Math.min(start + span - 1, endUs);
      const replies = (await Promise.all(
        threads.map((t, p) => (this.idleUntil(p, until) ? this.unchanged(p) : t.request({ type: 'window', until, inbound: this.take(p) }).catch(rethrow))),
      )) as WindowDone[];
      this.absorb(replies);
      span = nextSpan(span, lookahead, replies.reduce((n, r) => n + r.records.tags.length / TAG_WIDTH, 0));
      if (++this.windows % 64 === 0) progress(until);
    }
    progress(endUs);
  }

  /**
   * Whether partition `p` has nothing to do up to `until`: no event of its own and no message on
   * its way at or before it. Such a partition is not woken for the window — a window that
   * dispatches no event changes nothing in it — and its messages wait here for the window it runs
   * in. With a short lookahead most windows hold a few events of one partition, and the round
   * trip to each idle thread (two structured clones and two thread wake-ups) cost more than the
   * events (bench/README.md, "Session 16 — suite").
   */
  private idleUntil(p: number, until: Micros): boolean {
    if (this.last[p].nextTime <= until) return false;
    for (const m of this.inbound[p]) if (m.time <= until) return false;
    return true;
  }

  /** Partition `p`'s reply to a window it was not woken for: its last state, nothing new. */
  private unchanged(p: number): WindowDone {
    const last = this.last[p];
    return { type: 'done', records: NO_RECORDS, outbound: [], nextTime: last.nextTime, events: last.events, busyMs: 0 };
  }

  /** The messages on their way to partition `p`, handed over with a window (its inbox starts afresh). */
  private take(p: number): RemoteMessage[] {
    this.wakeups++;
    const inbound = this.inbound[p];
    this.inbound[p] = [];
    return inbound;
  }

  /** The earliest pending event anywhere: a partition's own queue, or a message on its way. */
  private nextStart(): Micros {
    let next = Infinity;
    for (const reply of this.last) next = Math.min(next, reply.nextTime);
    for (const messages of this.inbound) for (const m of messages) next = Math.min(next, m.time);
    return next;
  }

  events(): number {
    return this.last.reduce((n, r) => n + r.events, 0);
  }

  stats(wallTimeMs: number): Omit<ParallelStats, 'startupMs'> {
    const partitions = this.plan.partitions.map((info, p) => ({ ...info, events: this.last[p].events, busyMs: Math.round(this.busyMs[p]) }));
    const busy = this.busyMs.reduce((a, b) => a + b, 0);
    return {
      partitions,
      lookaheadUs: Number.isFinite(this.plan.lookaheadUs) ? this.plan.lookaheadUs : null,
      limitingLink: this.plan.limitingLink,
      windows: this.windows,
      wakeups: this.wakeups,
      eventsPerWindow: this.windows === 0 ? 0 : Math.round((this.events() / this.windows) * 10) / 10,
      crossMessages: this.crossMessages,
      barrierShare: wallTimeMs > 0 ? Math.max(0, Math.round((1 - busy / (partitions.length * wallTimeMs)) * 1000) / 1000) : 0,
    };
  }
}

/** Turns a worker's report of failure back into the error it was (a SimulationError keeps its fields). */
function rethrow(failure: unknown): never {
  if (failure instanceof Error) throw failure;
  const f = failure as WorkerFailed;
  if (f.simulation !== undefined) {
    const cause = new Error(f.simulation.cause);
    if (f.simulation.causeStack !== undefined) cause.stack = f.simulation.causeStack;
    throw new SimulationError(f.simulation.seed, f.simulation.time, f.simulation.actor, f.simulation.event, cause);
  }
  if (f.input === true) throw new InputError(f.message);
  const error = new Error(`in a partition's worker thread: ${f.message}`);
  if (f.stack !== undefined) error.stack = `${error.message}\n${f.stack.split('\n').slice(1).join('\n')}`;
  throw error;
}
