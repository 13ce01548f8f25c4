/**
 * The stateful operator runtime: one instance of one pipeline operator, as an actor.
 *
 * It takes one item at a time — the oldest input on an unblocked channel, or the source's next
 * generator event once that is due — spends its virtual service time on it, then applies it to its
 * state, emits the outputs, advances its input position and writes a `state` record (event id, born time, service
 * time, state digest). A checkpoint strategy's participant rides along (`OperatorHost`): it can
 * hold the operator, block channels, capture an image and restore one. While its outputs wait for
 * credit (backpressure on direct channels, stream/direct.ts) it takes nothing, neither input nor
 * its instrument's events, and it resumes once the transport has sent them.
 *
 * The state is a plain object changed in place: an image owns a deep copy of it (`capture` and
 * `restore` copy), so a checkpoint is a snapshot however the operator goes on. Only incremental
 * checkpoints need to know what an event changed: then the event is applied through immer's
 * `produceWithPatches` and the patches are kept for the next capture. (Through immer on every
 * event, the patches and the frozen copies were a seventh of an x-ray run's time, for nothing
 * when checkpoints are full.)
 *
 * Guarantee: with the same inputs the state evolves identically (the operator kinds commute, see
 * `logic.ts`), so a replay after a restore converges to what a fault-free run computes; every
 * processed event is in the trace, so re-processing (lost work) is measurable.
 *
 * Under message logging (`message-logging: pessimistic`, checkpoint/actors/message-log.ts) it logs
 * every input it is handed and every choice of what to process next, and finishes an event (state,
 * outputs) only once that choice is durable; a restore replays the choices logged after the image
 * (logged-replay.ts) before it takes anything new.
 *
 * Over a log (persistent streams, or the `log-topic` checkpoint tier) it is a Kafka client: a
 * broker's process dying on a live host fails what is out to that broker at once (`onDisconnect`,
 * kernel/contract/disconnect.ts). An operator that talks to no log has no such hook, so the death of
 * a peer operator stays silent to it (it relies on its strategy's timeouts), as before.
 *
 * How it breaks: a crash loses everything in memory — state, queue, the event in service, outputs
 * not yet handed to the network — and what comes back is whatever the strategy restores: nothing
 * (`none` restarts it from the beginning), a checkpoint, or a checkpoint plus replay. The source's
 * generator is the instrument (instrument.ts): events missed while the source was down or under
 * backpressure are produced late (catching up), and lost only when its buffer is bounded.
 */
import { enablePatches, produceWithPatches, type Draft, type Patch } from 'immer';
import type { Actor, Context, Disconnect, Message, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { assert, digestOf, recordShape } from '../../../kernel/contract/index.ts';
import {
  LOG_TIER_REPLIES,
  makeParticipant,
  type Capture,
  type CheckpointConfig,
  type ComposedParticipant,
  Holds,
  type HoldReason,
  type Marker,
  type OperatorHost,
  type OperatorImage,
  type PendingItem,
  ENTRY_BYTES,
  MessageLog,
} from '../../checkpoint/actors/index.ts';
import type { StreamEvent } from './event.ts';
import { InputQueue, type QueuedItem } from './input-queue.ts';
import { dueUs, nextDueUs, overwritten, type GeneratorSpec } from './instrument.ts';
import { loadLoggedReplay, type Decision } from './logged-replay.ts';
import type { OperatorLogic, Origin } from './logic.ts';
import { drawServiceUs, type ServiceTime } from './service-time.ts';
import { copyState } from './state-copy.ts';
import { DirectTransport } from './stream/direct.ts';
import type { FlowControl } from './stream/flow-control.ts';
import { LogTransport } from './stream/log-transport.ts';
import type { InstanceRoutes, OperatorTransport, TransportSink } from './stream/transport.ts';

enablePatches();

/** The `state` record of every step (the state's digest after an event, for state-equals-reference): written by shape. */
const STEP = recordShape('state', [['event', 'number'], ['born', 'number'], ['us', 'number'], ['digest', 'string']]);

export interface OperatorSpec {
  readonly op: string;
  readonly instance: string;
  readonly logic: OperatorLogic<any>;
  readonly service: ServiceTime;
  /** Modelled size of the full state, bytes. */
  readonly stateBytes: number;
  readonly generator?: GeneratorSpec;
  readonly routes: InstanceRoutes;
  readonly transport: 'direct' | 'stream';
  /** Direct channels: their windows. */
  readonly flow: FlowControl;
  readonly checkpoint: CheckpointConfig;
  /** acks of the producer to streams on log services; default all. */
  readonly logAcks?: 1 | -1;
}

/** The item in service: an input, or a generator position. One shape for both (no spread per event). */
interface InService {
  readonly item: QueuedItem | undefined;
  /** The generator position being produced. */
  readonly generated: number | undefined;
  readonly serviceUs: Micros;
  readonly timer: TimerId;
  /** Message logging: whether the decision to process it is durable (it cannot finish before). */
  logged: boolean;
  /** Its service time is over; it finishes when `logged`. */
  served: boolean;
}

export class OperatorActor implements Actor<Message>, OperatorHost, TransportSink {
  readonly instance: string;
  readonly operator: string;
  readonly stateBytes: number;
  private participant!: ComposedParticipant;
  private transport!: OperatorTransport;
  private state: object;
  private patches: Patch[] = [];
  /** Per input channel, the position after the last item the state includes. */
  private positions: Record<string, number> = {};
  private generated = 0;
  private readonly queue = new InputQueue();
  private inService: InService | undefined;
  private readonly holds = new Holds();
  private idleWaiters: (() => void)[] = [];
  private generatorTimer: { id: TimerId; atUs: Micros } | undefined;
  private processedCount = 0;
  /** What the event being applied emits (empty between events): one array and one function for every event. */
  private readonly outputs: StreamEvent[] = [];
  private readonly collect = (out: StreamEvent): void => {
    this.outputs.push(out);
  };
  /** What the last checkpoint captured (input positions, events generated), for the inspector only. */
  private lastCapture: { inputs: Record<string, number>; generated: number; captures: number } | undefined;
  /** Pessimistic message logging: the operator's log (undefined when off). */
  private log: MessageLog | undefined;
  /** Logged decisions a restore replays, in order, before anything new is taken. */
  private decisions: Decision[] = [];
  private decisionAt = 0;

  /** Only an operator that is a log client listens for broken connections (see the header); the kernel asks whether the hook exists. */
  readonly onDisconnect?: (ctx: Context, disconnect: Disconnect) => void;

  constructor(private readonly spec: OperatorSpec) {
    this.instance = spec.instance;
    this.operator = spec.op;
    this.stateBytes = spec.stateBytes;
    this.state = spec.logic.initial();
    if (spec.transport === 'stream' || spec.checkpoint.logTopic !== undefined) {
      this.onDisconnect = (ctx, disconnect) => {
        this.transport.disconnected?.(ctx, disconnect);
        this.participant.onDisconnect?.(ctx, disconnect);
      };
    }
  }

  // --- Actor --------------------------------------------------------------------------------

  start(ctx: Context): void {
    this.boot(ctx);
    const conserved = this.spec.logic.conserved?.(this.state);
    ctx.record('state', { init: true, op: this.operator, digest: digestOf(this.state), ...(conserved === undefined ? {} : { conserved }) });
    this.transport.open(ctx, { inputs: {}, outputs: {}, outbox: [], epoch: 0 });
    this.participant.start(ctx);
    this.pump(ctx);
  }

  /** Its state as the operator's logic keeps it, its input positions, queue, and what its last checkpoint captured. */
  inspect(): unknown {
    return {
      operator: this.operator,
      instance: this.instance,
      state: copyState(this.state),
      inputPositions: { ...this.positions },
      queued: this.queue.length,
      inService: this.inService !== undefined,
      processed: this.processedCount,
      generated: this.generated,
      lastCheckpoint: this.lastCapture ?? 'none yet',
    };
  }

  /** After a crash: the participant holds the operator and restores it; `restore` reopens the streams. */
  recover(ctx: Context): void {
    this.boot(ctx);
    this.participant.recover(ctx);
  }

  onMessage(ctx: Context, message: Message, from: string): void {
    const blocked = this.blocked;
    this.dispatch(ctx, message, from);
    this.resumeIfUnblocked(ctx, blocked);
  }

  private dispatch(ctx: Context, message: Message, from: string): void {
    // The log-topic checkpoint tier and a log transport hear from the same brokers: the tier takes
    // only replies to its own requests, the transport the rest.
    if (LOG_TIER_REPLIES.has(message.type) && this.participant.onMessage(ctx, message, from)) return;
    if (!this.transport.onMessage(ctx, message, from)) this.participant.onMessage(ctx, message, from);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    const blocked = this.blocked;
    if (wakeup.name === 'op:done') this.served(ctx);
    else if (wakeup.name === 'op:generator') {
      this.generatorTimer = undefined;
      this.pump(ctx);
    } else if (this.log?.onTimer(ctx, wakeup) !== true && !this.transport.onTimer(ctx, wakeup)) this.participant.onTimer(ctx, wakeup);
    this.resumeIfUnblocked(ctx, blocked);
  }

  /** Whether outputs wait for credit (backpressure): the operator then takes nothing new. */
  private get blocked(): boolean {
    return this.transport.writable?.() === false;
  }

  /**
   * Credit came (an acknowledgement opened the window) or a marker took the waiting outputs along:
   * the operator takes input again. Pumped here, once the handler is done, never from inside a
   * participant's marker handling (barrier.ts says why).
   */
  private resumeIfUnblocked(ctx: Context, blocked: boolean): void {
    if (blocked && !this.blocked) this.pump(ctx);
  }

  private boot(ctx: Context): void {
    const routes: InstanceRoutes = this.spec.routes;
    this.transport = this.transportFor(ctx, routes);
    this.participant = makeParticipant(ctx, this, this.spec.checkpoint);
    this.decisions = [];
    this.decisionAt = 0;
    if (this.logging) {
      this.log = new MessageLog();
      this.log.open(ctx);
    }
  }

  private get logging(): boolean {
    return this.spec.checkpoint.messageLogging === 'pessimistic' && this.spec.transport === 'direct';
  }

  /** Direct channels, or persistent streams: topics of log services (the scenario's, or a node's own). */
  private transportFor(ctx: Context, routes: InstanceRoutes): OperatorTransport {
    if (this.spec.transport === 'direct') return new DirectTransport(routes, this, { logged: this.logging, flow: this.spec.flow });
    return new LogTransport(ctx, routes, this, this.spec.logAcks === undefined ? {} : { acks: this.spec.logAcks });
  }

  // --- TransportSink ------------------------------------------------------------------------

  deliver(ctx: Context, channel: string, position: number, event: StreamEvent): void {
    // Acknowledged to its sender only once it is durable here.
    this.log?.append(ctx, { kind: 'received', channel, position, event }, event.bytes + ENTRY_BYTES, (c) => this.transport.logged?.(c, channel, position + 1));
    this.participant.onInput(ctx, channel, position, event);
    this.queue.push({ channel, position, arrivedUs: ctx.now(), event });
    this.pump(ctx);
  }

  marker(ctx: Context, channel: string, marker: Marker): void {
    if (this.participant.markerAt === 'arrival') this.participant.onMarker(ctx, channel, marker);
    else {
      this.queue.push({ channel, position: -1, arrivedUs: ctx.now(), marker });
      this.pump(ctx);
    }
  }

  // --- processing ---------------------------------------------------------------------------

  /**
   * Takes the next item while nothing is in service, nothing holds the operator and its outputs
   * are not waiting for credit: an operator under backpressure takes neither input nor its
   * instrument's events, which wait where they are (the sender's window, the instrument's buffer).
   */
  private pump(ctx: Context): void {
    while (this.inService === undefined && this.holds.size === 0 && !this.blocked) {
      if (this.decisionAt < this.decisions.length) {
        this.replayDecision(ctx, this.decisions[this.decisionAt++]!);
        continue;
      }
      this.skipOverwritten(ctx);
      const head = this.queue.peek();
      const dueUs = this.nextDueUs();
      const generatorReady = dueUs !== undefined && dueUs <= ctx.now();
      if (head !== undefined && (!generatorReady || head.item.arrivedUs <= dueUs)) {
        const item = this.queue.take(head.index);
        if (item.marker !== undefined) this.participant.onMarker(ctx, item.channel, item.marker);
        else this.begin(ctx, item, undefined);
      } else if (generatorReady) {
        this.begin(ctx, undefined, this.generated);
      } else {
        if (dueUs !== undefined) this.wakeGeneratorAt(ctx, dueUs);
        return;
      }
    }
  }

  /** `replayed`: a logged decision taken again, already durable. */
  private begin(ctx: Context, item: QueuedItem | undefined, generated: number | undefined, replayed = false): void {
    const serviceUs = drawServiceUs(ctx, this.spec.service);
    const log = this.log;
    const inService: InService = { item, generated, serviceUs, timer: ctx.setTimer(serviceUs, 'op:done'), logged: log === undefined || replayed, served: false };
    this.inService = inService;
    if (inService.logged) return;
    const decision = item === undefined ? { kind: 'generated' as const, k: generated! } : { kind: 'processed' as const, channel: item.channel, position: item.position };
    log!.append(ctx, decision, ENTRY_BYTES, (c) => {
      inService.logged = true;
      if (inService.served && this.inService === inService) this.complete(c);
    });
  }

  /** Takes the item a logged decision names (it is queued: its receipt was durable before the decision). */
  private replayDecision(ctx: Context, decision: Decision): void {
    if (decision.kind === 'generated') {
      assert(decision.k === this.generated, () => `${this.instance}: a replayed source decision is the next source event, but #${decision.k} after ${this.generated}`);
      return this.begin(ctx, undefined, decision.k, true);
    }
    const index = this.queue.indexOf(decision.channel, decision.position);
    assert(index >= 0, () => `${this.instance}: a replayed decision names a queued input, but ${decision.channel}#${decision.position} is not queued`);
    this.begin(ctx, this.queue.take(index), undefined, true);
  }

  /** The service time is over: the event finishes, once its decision is durable. */
  private served(ctx: Context): void {
    const done = this.inService;
    if (done === undefined) return;
    done.served = true;
    if (done.logged) this.complete(ctx);
  }

  private complete(ctx: Context): void {
    const done = this.inService;
    if (done === undefined) return;
    this.inService = undefined;
    this.holds.idle(ctx);
    const { event, origin } = this.eventOf(done);
    if (this.spec.checkpoint.incremental) {
      const [next, patches] = produceWithPatches(this.state, (draft) => this.spec.logic.apply(draft, event, origin, this.collect));
      this.state = next;
      this.patches.push(...patches);
    } else {
      this.spec.logic.apply(this.state as Draft<object>, event, origin, this.collect);
    }
    if (done.item !== undefined) {
      this.positions[done.item.channel] = Math.max(this.positions[done.item.channel] ?? 0, done.item.position + 1);
      this.transport.consumed(ctx, done.item.channel, done.item.position);
    } else {
      this.generated = done.generated! + 1;
    }
    const outputs = this.outputs;
    // One send cycle: the transport sends the step's outputs together (it keeps none of the array).
    if (outputs.length > 0) this.transport.emit(ctx, outputs);
    // `pop`, not a store to `length`: V8 sets an array's length through a runtime call, and a step has a few outputs.
    while (outputs.length > 0) outputs.pop();
    this.processedCount++;
    ctx.recordShaped(STEP, [event.id, event.bornUs, done.serviceUs, digestOf(this.state)]);
    this.participant.afterEvent(ctx);
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
    this.pump(ctx);
  }

  private eventOf(done: InService): { event: StreamEvent; origin: Origin } {
    if (done.item?.event !== undefined) return { event: done.item.event, origin: 'input' };
    const k = done.generated!;
    return { event: this.spec.logic.generate!(k, dueUs(this.spec.generator!, k)), origin: 'generator' };
  }

  /** When the generator's next event is due, or undefined when it has no more. */
  private nextDueUs(): Micros | undefined {
    return this.spec.generator === undefined ? undefined : nextDueUs(this.spec.generator, this.generated);
  }

  /** A bounded instrument buffer overwrote the oldest events the source had not taken: they are lost (instrument.ts). */
  private skipOverwritten(ctx: Context): void {
    const lost = this.spec.generator === undefined ? 0 : overwritten(this.spec.generator, this.generated, ctx.now());
    if (lost === 0) return;
    ctx.record('client', { op: 'instrument-lost', first: this.generated, count: lost });
    this.generated += lost;
  }

  private wakeGeneratorAt(ctx: Context, atUs: Micros): void {
    if (this.generatorTimer?.atUs === atUs) return;
    if (this.generatorTimer !== undefined) ctx.cancelTimer(this.generatorTimer.id);
    this.generatorTimer = { id: ctx.setTimer(atUs - ctx.now(), 'op:generator'), atUs };
  }

  // --- OperatorHost -------------------------------------------------------------------------

  get markerInputs(): readonly string[] {
    return this.transport.markerInputs;
  }

  get hasInputs(): boolean {
    return this.spec.routes.inputs.length > 0;
  }

  get processed(): number {
    return this.processedCount;
  }

  capture(options: { pending: boolean }): Capture {
    const inputs = { ...this.positions };
    const pending: PendingItem[] = [];
    if (options.pending) {
      // The event in service is not in the state yet and nobody will send it again.
      const inService = this.inService?.item;
      if (inService?.event !== undefined) pending.push({ channel: inService.channel, position: inService.position, event: inService.event });
      pending.push(...this.queue.pendingEvents());
      for (const item of pending) inputs[item.channel] = Math.max(inputs[item.channel] ?? 0, item.position + 1);
    }
    const image: OperatorImage = {
      state: copyState(this.state),
      inputs,
      outputs: this.transport.outputs(),
      generated: this.generated,
      pending,
      outbox: this.transport.outbox(),
      // Mid-replay, the decisions not yet taken again are the image's future.
      ...(this.log === undefined ? {} : { logSeq: this.decisionAt < this.decisions.length ? this.decisions[this.decisionAt]!.seq : this.log.seq }),
    };
    const patches = this.patches;
    this.patches = [];
    this.lastCapture = { inputs: { ...inputs }, generated: this.generated, captures: (this.lastCapture?.captures ?? 0) + 1 };
    return { image, patches };
  }

  /** Message logging: the entries a stable checkpoint covers are garbage (checkpoint/actors/message-log.ts). */
  checkpointStable(ctx: Context, image: OperatorImage): void {
    if (image.logSeq !== undefined) this.log?.trim(ctx, image.logSeq);
  }

  restore(ctx: Context, image: OperatorImage | undefined, epoch: number): void {
    if (this.inService !== undefined) ctx.cancelTimer(this.inService.timer);
    this.inService = undefined;
    this.holds.idle(ctx);
    if (this.generatorTimer !== undefined) ctx.cancelTimer(this.generatorTimer.id);
    this.generatorTimer = undefined;
    this.queue.clear();
    this.idleWaiters = [];
    this.state = image === undefined ? this.spec.logic.initial() : copyState(image.state as object);
    this.patches = [];
    this.positions = { ...image?.inputs };
    this.generated = image?.generated ?? 0;
    for (const item of image?.pending ?? []) this.queue.push({ ...item, event: item.event as StreamEvent, arrivedUs: ctx.now() });
    let inputs = image?.inputs ?? {};
    if (this.log !== undefined) {
      const replay = loadLoggedReplay(ctx, this.log, image, this.queue);
      inputs = replay.inputs;
      this.decisions = replay.decisions;
      this.decisionAt = 0;
    }
    this.transport.open(ctx, { inputs, outputs: image?.outputs ?? {}, outbox: image?.outbox ?? [], epoch });
    this.pump(ctx);
  }

  hold(ctx: Context, reason: HoldReason): void {
    this.holds.hold(ctx, reason, this.inService !== undefined);
  }

  release(ctx: Context, reason: HoldReason): void {
    if (this.holds.release(ctx, reason)) this.pump(ctx);
  }

  isHeld(reason: HoldReason): boolean {
    return this.holds.has(reason);
  }

  whenIdle(_ctx: Context, then: () => void): void {
    if (this.inService === undefined) then();
    else this.idleWaiters.push(then);
  }

  outputsDelivered(except: ReadonlySet<string>): boolean {
    return this.transport.delivered?.(except) ?? true;
  }

  releaseOutputs(ctx: Context): void {
    this.transport.release?.(ctx);
  }

  blockInput(channel: string): void {
    this.queue.block(channel);
  }

  unblockInputs(ctx: Context, options?: { readonly pump: boolean }): void {
    this.queue.unblockAll();
    if (options?.pump !== false) this.pump(ctx);
  }

  sendMarker(ctx: Context, marker: Marker): void {
    this.transport.marker(ctx, marker);
  }

  conserved(image: OperatorImage): number | undefined {
    const { conserved, carried } = this.spec.logic;
    if (conserved === undefined) return undefined;
    let total = conserved(image.state as object);
    for (const item of image.pending) total += carried?.(item.event as StreamEvent) ?? 0;
    for (const item of image.outbox) total += carried?.(item.event as StreamEvent) ?? 0;
    return total;
  }

  eventBytes(event: unknown): number {
    return (event as StreamEvent).bytes;
  }

  digest(state: unknown): string {
    return digestOf(state ?? this.spec.logic.initial());
  }
}
