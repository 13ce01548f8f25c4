/**
 * One partition of a parallel run, in its own worker thread (which can serve run after run).
 *
 * On an assignment it builds the whole world from the recipe (every thread builds the same one),
 * tells the kernel which actors are its own and writes the trace header; then it runs one window
 * per request from the coordinator: inject the messages other partitions sent it, dispatch its events up to the window's
 * end, and hand back what it sent to others and the records it wrote, tagged for the merge.
 *
 * How it fails: anything thrown — an actor's bug (a `SimulationError` with its seed, time, actor
 * and event), a broken recipe, a kernel assertion — is sent to the coordinator as a `failed`
 * message with those fields, and the thread drops that run (it can take a new assignment).
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { InputError, SimulationError, TraceHasher, TraceWriter, type RecordTag, type RemoteMessage, type Simulator, type TraceRecord } from '../../kernel/index.ts';
import { buildFromRecipe } from '../recipe.ts';
import { simulatorOf } from '../../world/world.ts';
import type { FromWorker, PartitionAssignment, RecordBatch, ToWorker, WorkerFailed } from './protocol.ts';

const port = parentPort!;

/** Collects one window's records and outgoing messages. */
class Outbox {
  private lines: string[] = [];
  private tags: number[] = [];
  private chars = 0;
  private readonly hasher = new TraceHasher();
  messages: RemoteMessage[][];

  constructor(private readonly partitions: number) {
    this.messages = this.empty();
  }

  write(record: TraceRecord, tag: RecordTag): void {
    const line = JSON.stringify(record);
    this.lines.push(line);
    this.chars += line.length + 1;
    // Digested here, in parallel: the coordinator only folds the digests in the merged order.
    const h = this.hasher;
    h.digest(record);
    this.tags.push(tag.time, tag.order, tag.step, tag.index, this.chars, h.d1, h.d2);
  }

  /** Hands over what was collected and starts afresh. */
  take(): { records: RecordBatch; outbound: RemoteMessage[][] } {
    const records = { text: this.lines.length === 0 ? '' : this.lines.join('\n') + '\n', tags: Float64Array.from(this.tags) };
    const outbound = this.messages;
    this.lines = [];
    this.tags = [];
    this.chars = 0;
    this.messages = this.empty();
    return { records, outbound };
  }

  private empty(): RemoteMessage[][] {
    return Array.from({ length: this.partitions }, () => []);
  }
}

function failure(error: unknown): WorkerFailed {
  const failed: WorkerFailed = {
    type: 'failed',
    message: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? error.stack : undefined,
    input: error instanceof InputError,
  };
  if (error instanceof SimulationError) {
    const cause = error.cause;
    failed.simulation = {
      seed: error.seed,
      time: error.time,
      actor: error.actor,
      event: error.event,
      cause: cause instanceof Error ? cause.message : String(cause),
      causeStack: cause instanceof Error ? cause.stack : undefined,
    };
  }
  return failed;
}

/** The run this thread is part of now. */
interface Assigned {
  /** The world's simulator, driven here one window at a time. */
  sim: Simulator;
  outbox: Outbox;
}

async function assign(assignment: PartitionAssignment): Promise<Assigned> {
  const { world } = await buildFromRecipe(assignment.recipe, new TraceWriter());
  const outbox = new Outbox(assignment.partitions);
  const { partitionOf, partition } = assignment;
  const sim = simulatorOf(world);
  sim.setPartition({
    owns: (index) => partitionOf[index] === partition,
    writesWorld: assignment.writesWorld,
    export: (message) => outbox.messages[partitionOf[message.to]].push(message),
    write: (record, tag) => outbox.write(record, tag),
  });
  // Writes the trace header (a world record) and dispatches nothing: no event is at or before -1.
  world.advance({ until: -1 });
  return { sim, outbox };
}

function runWindow(run: Assigned, request: Extract<ToWorker, { type: 'window' }>): FromWorker {
  const started = performance.now();
  for (const message of request.inbound) run.sim.inject(message);
  run.sim.runWindow(request.until);
  const busyMs = performance.now() - started;
  return { type: 'done', ...run.outbox.take(), nextTime: run.sim.nextEventTime(), events: run.sim.events, busyMs };
}

let current: Assigned | undefined;

// Requests come one at a time (the coordinator waits for each reply), so an assignment's world is
// built before its first window arrives.
port.on('message', (request: ToWorker) => {
  void (async () => {
    try {
      if (request.type === 'assign') {
        current = await assign(request);
        port.postMessage({ type: 'ready', ...current.outbox.take(), nextTime: current.sim.nextEventTime(), events: current.sim.events } satisfies FromWorker);
      } else {
        if (current === undefined) throw new Error('a window before any assignment');
        port.postMessage(runWindow(current, request));
      }
    } catch (error) {
      current = undefined;
      port.postMessage(failure(error));
    }
  })();
});
