/**
 * The orchestrator's handle on one life of one node: a worker thread, its comlink control plane
 * and its data port. `kill()` is the real crash: the thread is terminated, its memory gone.
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { WorldRecipe } from '../recipe.ts';
import { packageModule } from '../../package-layout.ts';
import { workerFile } from '../worker-entry.ts';
import type { FromNode, NodeControl, NodeWorkerData, ToNode } from './protocol.ts';

const ENTRY = packageModule('src/exec/emulate/node-worker.ts');

export class NodeThread {
  private readonly remote: Comlink.Remote<NodeControl>;
  /** Resolves once the thread has built its world and answers its control plane. */
  readonly ready: Promise<unknown>;
  /** Events its actors had handled, as last reported. */
  events = 0;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private dead = false;
  /** Rejects when the thread is gone, so that no control call waits forever on a dead thread. */
  private readonly gone: Promise<never>;
  private markGone!: (error: Error) => void;

  constructor(
    readonly node: string,
    readonly incarnation: number,
    recipe: WorldRecipe,
    diskDir: string,
    onMessage: (message: FromNode, from: NodeThread) => void,
    onError: (error: Error, from: NodeThread) => void,
  ) {
    const channel = new MessageChannel();
    this.port = channel.port1;
    const data: NodeWorkerData = { entry: ENTRY.href, recipe, node, diskDir, incarnation, port: channel.port2 };
    this.worker = new Worker(workerFile(ENTRY), { workerData: data, transferList: [channel.port2] });
    this.remote = Comlink.wrap<NodeControl>(nodeEndpoint(this.worker));
    this.gone = new Promise<never>((_, reject) => (this.markGone = reject));
    this.gone.catch(() => {});
    this.port.on('message', (message: FromNode) => {
      if (!this.dead) onMessage(message, this);
    });
    this.worker.on('error', (error) => {
      if (!this.dead) onError(error, this);
    });
    this.ready = this.ask((c) => c.stats());
    // A spare the run never used may be ended before it was ready: its rejection is not a failure.
    this.ready.catch(() => {});
  }

  /** A call on the node's control plane; it fails, rather than hangs, if the thread is gone. */
  ask<T>(call: (control: Comlink.Remote<NodeControl>) => Promise<T>): Promise<T> {
    return Promise.race([call(this.remote), this.gone]);
  }

  get alive(): boolean {
    return !this.dead;
  }

  send(message: ToNode): void {
    if (!this.dead) this.port.postMessage(message);
  }

  /**
   * Terminates the thread. Messages it posted before dying are still taken (they left the node
   * before the crash); nothing after this call is.
   */
  async kill(): Promise<void> {
    await this.worker.terminate();
    // Let the data port deliver what the thread posted before it died.
    await new Promise((resolve) => setImmediate(resolve));
    this.close();
  }

  /** Ends a thread that has already been stopped cleanly. */
  async end(): Promise<void> {
    this.close();
    await this.worker.terminate();
  }

  private close(): void {
    this.dead = true;
    this.markGone(new Error(`node ${this.node}'s thread (life ${this.incarnation}) is gone`));
    this.port.close();
  }
}
