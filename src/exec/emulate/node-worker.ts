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
import { EmulatedClock, EmulatedTimers } from './clock.ts';
import { NodeRuntime } from './node-runtime.ts';
import type { FromNode, NodeControl, NodeStats, NodeWorkerData, StartOptions, ToNode } from './protocol.ts';

const data = workerData as NodeWorkerData;
const port = data.port;
const prepared = await buildFromRecipe(data.recipe, new TraceWriter());
const deployment = prepared.world.deployment;

let runtime: NodeRuntime | undefined;
let clock: EmulatedClock | undefined;
let timers: EmulatedTimers | undefined;

const post = (message: FromNode) => port.postMessage(message);

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
    clock = new EmulatedClock(options.clock);
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
      if (message.type === 'deliver') runtime!.deliver(message);
      else runtime!.dropped(message);
    });
    runtime.start(options.entry);
  },
  pause(settings) {
    clock?.adopt(settings);
    timers?.hold();
  },
  resume(settings) {
    clock?.adopt(settings);
    timers?.arm();
  },
  stats,
  stop() {
    runtime?.stop();
    return stats();
  },
};

Comlink.expose(control, nodeEndpoint(parentPort!));
