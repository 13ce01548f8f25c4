/**
 * A host for the forwarders' sink (IdempotentSink) against the scripted brokers of the log client
 * tests (b1 leads partitions 0 and 2, b2 leads 1 and 3; or a SoleLeader b1 of all four): four lanes, one per partition, each with
 * a producer id and plans ready from the start; an acknowledged plan leaves its lane, and with
 * `refill` a new one takes its place, so the lane always has as many to send.
 */
import { FORWARDER_DEFAULTS, IdempotentSink, type LaneState, type LogEndpoint, type Plan, type SinkConfig } from '../../../src/features/forward/actors/index.ts';
import type { Actor, Context, Message, Wakeup } from '../../../src/kernel/contract/index.ts';
import type { ClientInbound } from '../../../src/features/log/actors/index.ts';

export const LANES = 4;

export interface SinkHostOptions {
  /** Plans each lane holds at the start (default 5), or per lane. */
  readonly plansPerLane?: number | readonly number[];
  /** Bytes of each plan's one event (default 1000), or per lane. */
  readonly planBytes?: number | readonly number[];
  /** Lanes whose acknowledged plans are replaced by new ones. */
  readonly refill?: readonly number[];
  /** The sink endpoint's fields beyond the scripted topic (`maxRequestBytes`). */
  readonly endpoint?: Partial<LogEndpoint>;
  /** The sink's timing beyond the forwarders' defaults. */
  readonly config?: Partial<Omit<SinkConfig, 'sink'>>;
}

export class SinkHost implements Actor<Message> {
  private sink!: IdempotentSink;
  /** Per lane, the plans the destination acknowledged, in order. */
  readonly forwarded: Plan[][] = Array.from({ length: LANES }, () => []);
  private readonly lanes: LaneState[];

  constructor(private readonly options: SinkHostOptions = {}) {
    const plansOf = (lane: number) => (typeof options.plansPerLane === 'object' ? options.plansPerLane[lane]! : options.plansPerLane ?? 5);
    this.lanes = Array.from({ length: LANES }, (_, lane) => ({ pid: 100 + lane, nextDestSeq: plansOf(lane), nextSrc: 0, plans: Array.from({ length: plansOf(lane) }, (_, i) => this.plan(lane, i)) }));
  }

  start(ctx: Context): void {
    const sink = { service: 's', topic: 't', partitions: LANES, brokers: ['b1', 'b2', 'b3'], controller: 'ctl', ...this.options.endpoint };
    this.sink = new IdempotentSink(ctx, { ...FORWARDER_DEFAULTS, ...this.options.config, sink }, LANES, {
      forwarded: (_ctx, lane, plan) => this.forward(lane, plan),
      pidAssigned: () => {},
      tooLarge: () => {},
    });
    this.sink.start(ctx);
  }

  onMessage(ctx: Context, message: Message, from: string): void {
    this.sink.onMessage(ctx, message as unknown as ClientInbound, from);
    this.pump(ctx);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    this.sink.onTimer(ctx, wakeup.name, wakeup.data);
    this.pump(ctx);
  }

  private forward(lane: number, plan: Plan): void {
    const state = this.lanes[lane]!;
    state.plans = state.plans.filter((p) => p !== plan);
    this.forwarded[lane]!.push(plan);
    if (this.options.refill?.includes(lane)) state.plans.push(this.plan(lane, state.nextDestSeq++));
  }

  private plan(lane: number, seq: number): Plan {
    const bytes = this.options.planBytes ?? 1000;
    return { destSeq: seq, events: [`l${lane}-${seq}`], bytes: typeof bytes === 'number' ? bytes : bytes[lane]!, srcFirst: seq, srcEnd: seq + 1 };
  }

  private pump(ctx: Context): void {
    this.sink.send(ctx, this.lanes, () => true);
  }
}
