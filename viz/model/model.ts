/**
 * Everything the page derives from one run's decoded columns, once, at load: kinds and glyphs,
 * forward links (send → its recv or drop), lanes, fault and down spans, the message types present,
 * and message "flows" (sender lane, receiver lane, type) for the zoomed-out density view.
 *
 * Guarantee: a pure function of the payload; the time domain covers every record and the run's
 * declared end.
 */
import type { RunData } from '../wire/codec.ts';
import { classify, K } from './kinds.ts';
import { layoutLanes, type Lane, type SiteGroup } from './lanes.ts';
import { deriveDurability, type Durability } from './durability.ts';
import { deriveRecovery, type Recovery } from './recovery.ts';
import { deriveReplication, type PartitionView } from './replication.ts';
import { deriveSnapshots, type Snapshots } from './snapshots.ts';
import { deriveCascades, type Cascade } from './cascade.ts';
import { deriveChatter, type Chatter } from './chatter.ts';
import { downSpans, faultSpans, type DownSpan, type FaultSpan } from './spans.ts';

export interface RunModel {
  data: RunData;
  /** Short name shown on the page ("A", "B", …) and a longer description. */
  name: string;
  label: string;
  kind: Uint8Array;
  glyph: Uint8Array;
  /** Row of the recv or drop answering a send, or -1. */
  fwd: Int32Array;
  lanes: Lane[];
  groups: SiteGroup[];
  faults: FaultSpan[];
  downs: DownSpan[];
  /** Checkpoints, cuts, lost work and replays (see recovery.ts). */
  recovery: Recovery;
  /** fsyncs, durable writes and power losses per disk (see durability.ts). */
  durability: Durability;
  /** Per partition of a replicated log: leaders, log ends, high watermark, ISR (see replication.ts). */
  replication: PartitionView[];
  /** Markers, recorded channel state and conserved totals of snapshots (see snapshots.ts). */
  snapshots: Snapshots;
  /** Rollback cascades, step by step (see cascade.ts). */
  cascades: Cascade[];
  /** Heartbeats and empty fetches, folded unless zoomed in or asked for (see chatter.ts). */
  chatter: Chatter;
  endUs: number;
  /** Message types in the run, as strings. */
  msgTypes: Set<string>;
  /** Kinds in the run with their record counts. */
  kindCounts: Map<string, number>;
  /** For each arrow-ending row (recv, drop on arrival), its flow id, else -1; see `flows`. */
  flowOf: Int32Array;
  /** Idle chatter (`chatter.ts`) has flows of its own, so that it can be drawn apart. */
  flows: Array<{ from: number; to: number; msg: string; idle: boolean }>;
}

export function buildModel(data: RunData, name: string): RunModel {
  const { kind, glyph } = classify(data);
  const fwd = new Int32Array(data.length).fill(-1);
  const drawnAt = new Uint8Array(data.header.actors.length);
  const counts = new Map<number, number>();
  const msgTypes = new Set<string>();
  scanRows(data, kind, 0, fwd, drawnAt, counts, msgTypes);
  const { lanes, groups } = lanesOf(data, drawnAt);
  const endUs = endOf(data);
  const chatter = deriveChatter(data, kind);
  const flowOf = new Int32Array(data.length).fill(-1);
  const flows: RunModel['flows'] = [];
  extendFlows(data, kind, chatter.idle, 0, flowOf, flows, new Map());
  const kindCounts = namedCounts(data, counts);
  const label = describe(data);
  const snapshots = deriveSnapshots(data, kind);
  return {
    data, name, label, kind, glyph, fwd, lanes, groups, endUs, msgTypes, kindCounts, flowOf, flows,
    faults: faultSpans(data, kind, endUs),
    downs: downSpans(data, kind, endUs),
    recovery: deriveRecovery(data, kind),
    durability: deriveDurability(data, kind),
    replication: deriveReplication(data, kind),
    snapshots,
    chatter,
    cascades: deriveCascades(data, kind, snapshots),
  };
}

/**
 * The per-row pass over rows `from` on: forward links (a send's answer), which actors have a
 * drawn record (`drawnAt`), records per kind and the message types present.
 */
export function scanRows(data: RunData, kind: Uint8Array, from: number, fwd: Int32Array, drawnAt: Uint8Array, counts: Map<number, number>, msgTypes: Set<string>): void {
  // The simulator's own `world` actor writes the run's meta, faults (drawn as bands) and the
  // reference digest: none of them belongs on a lane, and an empty `world` lane is only clutter.
  const world = data.header.actors.findIndex((info) => info.id === 'world');
  for (let i = from; i < data.length; i++) {
    if (data.link[i] >= 0 && fwd[data.link[i]] < 0 && data.link[i] !== i) fwd[data.link[i]] = i;
    if (kind[i] !== K.fault && kind[i] !== K.meta && !(data.a[i] === world && kind[i] === K.state)) drawnAt[data.a[i]] = 1;
    counts.set(data.k[i], (counts.get(data.k[i]) ?? 0) + 1);
    if (data.msg[i] >= 0) msgTypes.add(data.header.strings[data.msg[i]]);
  }
}

/** Lanes for the actors with a drawn record, and for those the meta lists (but `world`). */
export function lanesOf(data: RunData, drawnAt: Uint8Array): { lanes: Lane[]; groups: SiteGroup[] } {
  const listed = new Set<string>();
  const meta = data.header.meta;
  if (meta !== null && Array.isArray(meta.actors)) for (const a of meta.actors) if (typeof a?.id === 'string') listed.add(a.id);
  return layoutLanes(data.header, (actor) => drawnAt[actor] === 1 || (listed.has(data.header.actors[actor].id) && data.header.actors[actor].id !== 'world'));
}

/** The time domain's end: the last record, or the run's declared end when later. */
export function endOf(data: RunData): number {
  const meta = data.header.meta;
  return Math.max(data.length > 0 ? data.t[data.length - 1] : 0, numberField(meta, 'endUs'), numberField(meta, 'durationUs'), 1);
}

/** Records per kind name. */
export function namedCounts(data: RunData, counts: ReadonlyMap<number, number>): Map<string, number> {
  return new Map([...counts].map(([k, c]) => [data.header.strings[k], c]));
}

function numberField(meta: Record<string, unknown> | null, field: string): number {
  const value = meta?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function describe(data: RunData): string {
  const meta = data.header.meta ?? {};
  const parts = [typeof meta.scenario === 'string' ? meta.scenario : 'trace'];
  if (meta.seed !== undefined) parts.push(`seed ${String(meta.seed)}`);
  for (const key of ['strategy', 'variant']) if (typeof meta[key] === 'string') parts.push(String(meta[key]));
  return `${parts.join(' · ')} — ${data.header.source}`;
}

/** Flow ids by (sender, receiver, idle), then by message type. */
export type FlowIds = Map<number, Map<number, number>>;

/** More actors than a trace can name (the encoder's limit is 2^20). */
const ACTOR_LIMIT = 2 ** 21;

/**
 * Groups arrows by (sender, receiver, type, idle), the unit the density view aggregates: sets
 * `flowOf` for rows `from` on, adding flows as they appear (`ids` keeps them between calls).
 */
export function extendFlows(data: RunData, kind: Uint8Array, idle: Uint8Array, from: number, flowOf: Int32Array, flows: RunModel['flows'], ids: FlowIds): void {
  for (let i = from; i < data.length; i++) {
    const k = kind[i];
    if (data.link[i] < 0 || !(k === K.recv || (k === K.drop && data.peerFrom[i] === 1))) continue;
    const sender = data.a[data.link[i]];
    // Two levels, so that keys stay exact however many actors and strings a live run adds.
    const pair = (sender * ACTOR_LIMIT + data.a[i]) * 2 + idle[i];
    let byMsg = ids.get(pair);
    if (byMsg === undefined) ids.set(pair, (byMsg = new Map()));
    let id = byMsg.get(data.msg[i]);
    if (id === undefined) {
      id = flows.length;
      flows.push({ from: sender, to: data.a[i], msg: data.msg[i] >= 0 ? data.header.strings[data.msg[i]] : '', idle: idle[i] === 1 });
      byMsg.set(data.msg[i], id);
    }
    flowOf[i] = id;
  }
}
