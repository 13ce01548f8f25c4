/**
 * The coordinator's handle on one partition worker thread: one request, one reply, in turn. A
 * thread outlives a run, so a `PartitionPool` can hand the same threads to run after run and pay
 * their start (loading the simulator, and tsx when run from source: about half a second each) once.
 *
 * How it fails: a worker that reports a failure, throws outside a window, or exits unexpectedly
 * rejects the pending reply (and every later one) with an error the coordinator turns into the
 * run's error; such a thread is `broken` and is never reused. `stop()` terminates it in any state.
 */
import { Worker } from 'node:worker_threads';
import { packageModule } from '../../package-layout.ts';
import { workerFile } from '../worker-entry.ts';
import type { FromWorker, PartitionAssignment, ToWorker, WorkerFailed } from './protocol.ts';

const ENTRY = packageModule('src/exec/parallel/partition-worker.ts');

export class PartitionThread {
  private readonly worker: Worker;
  private pending: { resolve: (m: FromWorker) => void; reject: (e: unknown) => void } | undefined;
  private failed: unknown;
  private stopping = false;

  constructor() {
    this.worker = new Worker(workerFile(ENTRY), { workerData: { entry: ENTRY.href } });
    this.worker.on('message', (message: FromWorker) => this.settle(message));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.stopping) this.fail(new Error(`a partition's worker thread exited (code ${code}) in the middle of the run`));
    });
  }

  get broken(): boolean {
    return this.failed !== undefined;
  }

  /** Starts a run on this thread; resolves with its `ready` reply once its world is built. */
  assign(assignment: PartitionAssignment): Promise<FromWorker> {
    return this.request({ type: 'assign', ...assignment });
  }

  request(message: ToWorker): Promise<FromWorker> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (this.pending !== undefined) throw new Error('a partition thread takes one request at a time');
    const reply = new Promise<FromWorker>((resolve, reject) => (this.pending = { resolve, reject }));
    this.worker.postMessage(message);
    return reply;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.worker.terminate();
  }

  private settle(message: FromWorker): void {
    if (message.type === 'failed') {
      this.fail(message);
      return;
    }
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(message);
  }

  private fail(error: Error | WorkerFailed): void {
    if (this.failed !== undefined) return;
    this.failed = error;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}

/**
 * Partition threads kept between parallel runs (tests, benchmarks, sweeps of parallel runs). Runs
 * take threads, and give them back when they end; a thread that failed is stopped, not reused.
 */
export class PartitionPool {
  private readonly idle: PartitionThread[] = [];

  take(count: number): PartitionThread[] {
    return Array.from({ length: count }, () => this.idle.pop() ?? new PartitionThread());
  }

  /** Takes threads back after a run; `discard` stops them instead (the run failed). */
  async give(threads: readonly PartitionThread[], discard = false): Promise<void> {
    const reusable = (t: PartitionThread) => !discard && !t.broken;
    this.idle.push(...threads.filter(reusable));
    await Promise.all(threads.filter((t) => !reusable(t)).map((t) => t.stop()));
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((t) => t.stop()));
  }
}
