/**
 * One node of an emulation, in its own worker thread: its memory is the node's memory, so
 * terminating the thread is a real crash of the node.
 *
 * It takes the run's deployment from the recipe (which builds it as it builds the world; only the
 * deployment is used here: the node's actors with their factories, and every actor's id), waits for
 * `start` on its comlink control plane, then runs its actors against real time (node-runtime.ts):
 * messages in and out over its data port, records out over the same port.
 *
 * How it fails: a broken recipe or an unknown node rejects `start` with the reason; an actor that
 * throws is reported on the data port and the node stops.
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort, workerData } from 'node:worker_threads';
import { TraceWriter } from '../../kernel/index.ts';
import { buildFromRecipe } from '../recipe.ts';
import { EmulatedClock, EmulatedTimers, HEARTBEAT_MS } from './clock.ts';
import { NodeRuntime } from './node-runtime.ts';
import type { FromNode, NodeControl, NodeStats, NodeWorkerData, StartOptions, ToNode } from './protocol.ts';

const data = workerData as NodeWorkerData;
const port = data.port;
const prepared = await buildFromRecipe(data.recipe, new TraceWriter());
const deployment = prepared.world.deployment;

let runtime: NodeRuntime | undefined;
let clock: EmulatedClock | undefined;
let timers: EmulatedTimers | undefined;
let heartbeat: NodeJS.Timeout | undefined;

const post = (message: FromNode) => port.postMessage(message);
/** Deliveries that arrived while the clock was paused, in arrival order. */
const held: ToNode[] = [];

function take(message: ToNode): void {
  if (message.type === 'deliver') runtime!.deliver(message);
  else runtime!.dropped(message);
}

function stats(): NodeStats {
  return {
    node: data.node,
    incarnation: data.incarnation,
    events: runtime?.events ?? 0,
    records: runtime?.recordsWritten ?? 0,
    pendingTimers: timers?.pending ?? 0,
    nowUs: clock?.now() ?? 0,
  };
}

const control: NodeControl = {
  start(options: StartOptions) {
    if (runtime !== undefined) throw new Error(`node ${data.node} is already started`);
    const shared = new EmulatedClock(options.clock);
    clock = shared;
    heartbeat = setInterval(() => shared.beat(options.slot), HEARTBEAT_MS);
    timers = new EmulatedTimers(clock);
    runtime = new NodeRuntime({
      node: data.node,
      seed: prepared.world.seed,
      deployment,
      clock,
      timers,
      diskDir: data.diskDir,
      recordCounts: new Map(options.recordCounts),
      output: {
        flush: (records, sends) => {
          if (records.length > 0) post({ type: 'records', records, events: runtime!.events });
          for (const send of sends) post(send);
        },
        failed: (failure) => post(failure),
      },
    });
    port.on('message', (message: ToNode) => {
      // The clock is shared: a delivery that arrives after a pause began waits for the resume, so
      // no handler runs while paused, whichever of the two ports is read first.
      if (shared.paused) held.push(message);
      else take(message);
    });
    runtime.start(options.entry);
  },
  pause() {
    timers?.hold();
  },
  resume() {
    for (const message of held.splice(0)) take(message);
    timers?.arm();
  },
  stats,
  stop() {
    runtime?.stop();
    clearInterval(heartbeat);
    return stats();
  },
};

Comlink.expose(control, nodeEndpoint(parentPort!));
