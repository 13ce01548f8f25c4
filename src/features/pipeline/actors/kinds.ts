/**
 * The operator kinds pipelines are built from. Each keeps real data — counts, integer sums, small
 * vectors, a multiset hash of the ids it consumed — so that a lost, duplicated or corrupted event
 * changes its digest.
 *
 * - `source`: reads an instrument's retained stream (the generator) and forwards each event. The
 *   k-th event's pixels are a hash of k: 16-bit detector values.
 * - `split`: cuts each event into `fanout` pieces keyed 0…fanout−1 (the distribution stage that
 *   hands each reconstruction instance its block of sinogram rows).
 * - `map`: one output per input, values transformed (denoising).
 * - `window`: accumulates per (window of `size` source events, key) and emits a preview every
 *   `emitEvery` inputs and the result when the window is full (streaming iterative reconstruction
 *   over one scan). Previews carry only their position in the window — their pixels are not
 *   modelled — so that what they carry does not depend on the order inputs arrived in.
 * - `account`: a bank account (the Chandy–Lamport drill): its generator sends transfers to the
 *   other accounts, received transfers are credited; money is conserved. Transfer k's destination
 *   (uniform over the other instances) and amount (uniform in 1…maxAmount) are drawn from the
 *   stream `(seed, instance, "transfer k")`: a pure function of the run's seed, the account and k,
 *   so seeds vary the communication pattern and a replay regenerates the same transfer.
 *
 * Guarantee: each kind's state is a function of the multiset of events it applied — counts, exact
 * integer sums, a sum of the ids' hashes — so runs that applied the same events agree on the
 * digest in whatever order they arrived, and one lost, duplicated or altered event changes it; and
 * the accounts' balances, with the transfers in flight, add up to what they started with in any
 * consistent cut.
 *
 * How it breaks: the digest cannot see a reordering (by design), and two different multisets can
 * collide in the 32-bit hash sum, though rarely; a duplicated input counts toward its window, so
 * the window closes one event early and the event it was missing opens a window of the same name
 * that never fills; and an inconsistent cut (an orphan transfer, credited but not yet debited)
 * breaks conservation — which is what the checkers test. Shown by
 * test/features/pipeline/kinds.test.ts (a window: any order, the same state; a duplicate closes it
 * early), pipeline.test.ts (unaligned barriers double-count) and
 * test/check/pipeline-checkers.test.ts (conservation).
 */
import type { Draft } from 'immer';
import { deriveRng, fnv1a, type Micros } from '../../../kernel/contract/index.ts';
import { mixId, type StreamEvent } from './event.ts';
import type { Emit, LogicContext, OperatorLogic, Origin } from './logic.ts';

/**
 * Values per event vector. Vectors are made at this size (`new Array(WIDTH)`), never grown by
 * `push` from empty: V8 gives a pushed-to empty array room for 17 values, and every event a
 * source or split emits is kept all run in the log's batches (persistent streams) — at 152 bytes
 * a vector instead of 48, they were 18 % of the live heap midway through a stream-replay hour.
 */
const WIDTH = 4;
const PIXEL = 0x10000;

interface Tally {
  count: number;
  hash: number;
  sum: number[];
}

function tally(): Tally {
  return { count: 0, hash: 0, sum: new Array<number>(WIDTH).fill(0) };
}

function add(draft: Draft<Tally>, event: StreamEvent): void {
  draft.count++;
  draft.hash = mixId(draft.hash, event.id);
  for (let i = 0; i < WIDTH; i++) draft.sum[i] += event.value[i % event.value.length] ?? 0;
}

export interface SourceParams {
  /** Bytes per event. */
  readonly bytes: number;
}

export function sourceLogic(ctx: LogicContext, params: SourceParams): OperatorLogic<Tally> {
  return {
    kind: 'source',
    initial: tally,
    generate(k: number, dueUs: Micros): StreamEvent {
      // The pixels hash the event's readable name (`<instance>:<k>`), as they did when ids were that text.
      const name = `${ctx.instance}:${k}`;
      const value = new Array<number>(WIDTH);
      for (let j = 0; j < WIDTH; j++) value[j] = fnv1a(`${name}:${j}`) % PIXEL;
      return { id: ctx.ids.generated(ctx.op, ctx.index, k), key: k, root: k, bornUs: dueUs, bytes: params.bytes, value };
    },
    apply(draft, event, _origin, emit) {
      add(draft, event);
      emit(event);
    },
  };
}

export interface SplitParams {
  readonly fanout: number;
}

export function splitLogic(ctx: LogicContext, params: SplitParams): OperatorLogic<Tally> {
  const { ids, op } = ctx;
  return {
    kind: 'split',
    initial: tally,
    apply(draft, event, _origin, emit) {
      add(draft, event);
      const bytes = Math.ceil(event.bytes / params.fanout);
      const values = event.value;
      for (let j = 0; j < params.fanout; j++) {
        const value = new Array<number>(WIDTH);
        for (let i = 0; i < WIDTH; i++) value[i] = values[(i + j) % values.length]!;
        emit({ id: ids.piece(op, event.id, j, params.fanout), key: j, root: event.root, bornUs: event.bornUs, bytes, value });
      }
    },
  };
}

export interface MapParams {
  /** Bytes of each output; default: the input's. */
  readonly outputBytes?: number;
}

export function mapLogic(ctx: LogicContext, params: MapParams): OperatorLogic<Tally> {
  return {
    kind: 'map',
    initial: tally,
    apply(draft, event, _origin, emit) {
      add(draft, event);
      const value = event.value.map((v) => (v * 7 + 3) % PIXEL);
      emit({ ...event, id: ctx.ids.mapped(ctx.op, event.id), bytes: params.outputBytes ?? event.bytes, value });
    },
  };
}

export interface WindowParams {
  /** Source events per window (a scan's projections). */
  readonly size: number;
  /** Inputs between previews; 0: no previews. */
  readonly emitEvery: number;
  readonly outputBytes: number;
}

interface WindowState {
  /** Open windows by `<window>/<key>`. */
  open: Record<string, Tally>;
  closed: number;
  previews: number;
  hash: number;
}

export function windowLogic(ctx: LogicContext, params: WindowParams): OperatorLogic<WindowState> {
  return {
    kind: 'window',
    initial: () => ({ open: {}, closed: 0, previews: 0, hash: 0 }),
    apply(draft, event, _origin, emit) {
      const scan = Math.floor(event.root / params.size);
      const name = `${scan}/${event.key}`;
      const window = (draft.open[name] ??= tally());
      add(window, event);
      draft.hash = mixId(draft.hash, event.id);
      const base = { key: event.key, root: scan * params.size, bornUs: event.bornUs, bytes: params.outputBytes };
      if (window.count >= params.size) {
        emit({ ...base, id: ctx.ids.windowed(ctx.op, scan, event.key, 0), value: [...window.sum] });
        delete draft.open[name];
        draft.closed++;
      } else if (params.emitEvery > 0 && window.count % params.emitEvery === 0) {
        emit({ ...base, id: ctx.ids.windowed(ctx.op, scan, event.key, window.count), value: [window.count, scan, event.key, 0] });
        draft.previews++;
      }
    },
  };
}

/** Bytes of one transfer between accounts. */
export const TRANSFER_BYTES = 128;

export interface AccountParams {
  /** Initial balance of each account. */
  readonly balance: number;
  /** Largest transfer (amounts are 1…maxAmount). */
  readonly maxAmount: number;
}

interface AccountState {
  balance: number;
  sent: number;
  received: number;
  hash: number;
}

export function accountLogic(ctx: LogicContext, params: AccountParams): OperatorLogic<AccountState> {
  return {
    kind: 'account',
    initial: () => ({ balance: params.balance, sent: 0, received: 0, hash: 0 }),
    generate(k: number, dueUs: Micros): StreamEvent {
      // Drawn from a stream of its own per transfer, so a replay of transfer k draws the same.
      const draw = deriveRng(ctx.seed, ctx.instance, `transfer ${k}`);
      const target = ctx.parallelism === 1 ? ctx.index : (ctx.index + draw.int(1, ctx.parallelism - 1)) % ctx.parallelism;
      const amount = draw.int(1, params.maxAmount);
      return { id: ctx.ids.generated(ctx.op, ctx.index, k), key: target, root: k, bornUs: dueUs, bytes: TRANSFER_BYTES, value: [amount] };
    },
    apply(draft, event, origin: Origin, emit: Emit) {
      draft.hash = mixId(draft.hash, event.id);
      if (origin === 'generator') {
        draft.balance -= event.value[0];
        draft.sent++;
        emit(event);
      } else {
        draft.balance += event.value[0];
        draft.received++;
      }
    },
    conserved: (state) => state.balance,
    carried: (event) => event.value[0] ?? 0,
  };
}
