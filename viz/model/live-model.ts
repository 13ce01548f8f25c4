/**
 * A run's model grown as records are appended (the lab's live timeline): the per-row parts —
 * kinds and glyphs, forward links, lanes, message flows, fault and down spans — are extended with
 * the new rows only, and the explanations derived from the whole run (recovery, durability,
 * replication, snapshots, cascades, idle chatter) are recomputed by `settle()`, which the lab calls
 * now and then while the run goes (viz/lab/settle-throttle.ts) and when it stops. So an update
 * costs the records it adds, and a settle a pass over the rows.
 *
 * Guarantee: after `settle()`, `model` equals `buildModel` of the same rows, field for field (a
 * test compares them). Before it, the whole-run explanations are those of the last settle (empty
 * at first) and every arrow counts as not idle. The model object stays the same, so a Chart drawn
 * from it keeps drawing it; its columns (`model.data`) are new after each append, which is what
 * the density caches key on.
 */
import type { RunData } from '../wire/codec.ts';
import { deriveCascades } from './cascade.ts';
import { deriveChatter } from './chatter.ts';
import { deriveDurability } from './durability.ts';
import { classifyInto, K } from './kinds.ts';
import { describe, endOf, extendFlows, lanesOf, namedCounts, scanRows, type FlowIds, type RunModel } from './model.ts';
import { deriveRecovery } from './recovery.ts';
import { deriveReplication } from './replication.ts';
import { deriveSnapshots } from './snapshots.ts';
import { downSpans, faultSpans } from './spans.ts';

export class LiveModel {
  readonly model: RunModel;
  private capacity = 0;
  private kind = new Uint8Array(0);
  private glyph = new Uint8Array(0);
  private fwd = new Int32Array(0);
  private flowOf = new Int32Array(0);
  private idle = new Uint8Array(0);
  private drawnAt = new Uint8Array(0);
  private readonly counts = new Map<number, number>();
  private flowIds: FlowIds = new Map();
  /** Rows of fault, crash and restart records: the spans are made from them alone. */
  private spanRows: number[] = [];

  constructor(data: RunData, name: string) {
    this.model = {
      data, name, label: '', kind: this.kind, glyph: this.glyph, fwd: this.fwd, lanes: [], groups: [], endUs: 1, msgTypes: new Set(), kindCounts: new Map(),
      flowOf: this.flowOf, flows: [], faults: [], downs: [],
      // Empty until the first settle, as the header says: derived here they would be a pass over
      // the rows with no kinds classified yet (`extend` classifies them), so wasted or wrong.
      recovery: { checkpoints: [], cuts: [], lost: [], replays: [] }, durability: { disks: [], spans: [], fsyncs: [], losses: [] }, replication: [],
      snapshots: { markerType: new Uint8Array(0), channels: [], totals: [] }, chatter: { idle: this.idle, messages: 0 }, cascades: [],
    };
    this.extend(data, 0);
  }

  /** Takes `data`, whose rows before `from` are those the model has; returns whether the lanes changed. */
  extend(data: RunData, from: number): boolean {
    const model = this.model;
    this.grow(data.length, data.header.actors.length);
    model.data = data;
    classifyInto(data, this.kind, this.glyph, from);
    scanRows(data, this.kind, from, this.fwd, this.drawnAt, this.counts, model.msgTypes);
    extendFlows(data, this.kind, this.idle, from, this.flowOf, model.flows, this.flowIds);
    this.views(data.length);
    model.kindCounts = namedCounts(data, this.counts);
    model.endUs = endOf(data);
    model.label = describe(data);
    let spans = false;
    for (let i = from; i < data.length; i++) {
      const k = this.kind[i];
      if (k === K.fault || k === K.crash || k === K.restart) {
        this.spanRows.push(i);
        spans = true;
      }
    }
    if (spans) {
      model.faults = faultSpans(data, this.kind, model.endUs, this.spanRows);
      model.downs = downSpans(data, this.kind, model.endUs, this.spanRows);
    }
    const { lanes, groups } = lanesOf(data, this.drawnAt);
    const changed = lanes.length !== model.lanes.length || lanes.some((lane, i) => lane.actor !== model.lanes[i]!.actor);
    if (changed) Object.assign(model, { lanes, groups });
    return changed;
  }

  /** Recomputes what is derived from the whole run (one pass each over the rows). */
  settle(): void {
    const model = this.model;
    const { data } = model;
    const kind = model.kind;
    const chatter = deriveChatter(data, kind);
    this.idle.set(chatter.idle);
    this.flowIds = new Map();
    model.flows = [];
    extendFlows(data, kind, this.idle, 0, this.flowOf, model.flows, this.flowIds);
    const snapshots = deriveSnapshots(data, kind);
    Object.assign(model, {
      chatter: { idle: this.idle.subarray(0, data.length), messages: chatter.messages },
      recovery: deriveRecovery(data, kind), durability: deriveDurability(data, kind), replication: deriveReplication(data, kind),
      snapshots, cascades: deriveCascades(data, kind, snapshots),
    });
  }

  private grow(rows: number, actors: number): void {
    if (actors > this.drawnAt.length) {
      const next = new Uint8Array(Math.max(actors, this.drawnAt.length * 2));
      next.set(this.drawnAt);
      this.drawnAt = next;
    }
    if (rows <= this.capacity) return;
    const capacity = Math.max(rows, this.capacity * 2, 1024);
    const more = <T extends Uint8Array | Int32Array>(old: T, make: (n: number) => T, fill?: number): T => {
      const next = make(capacity);
      if (fill !== undefined) next.fill(fill, old.length);
      next.set(old as never);
      return next;
    };
    this.kind = more(this.kind, (n) => new Uint8Array(n));
    this.glyph = more(this.glyph, (n) => new Uint8Array(n));
    this.idle = more(this.idle, (n) => new Uint8Array(n));
    this.fwd = more(this.fwd, (n) => new Int32Array(n), -1);
    this.flowOf = more(this.flowOf, (n) => new Int32Array(n), -1);
    this.capacity = capacity;
  }

  private views(length: number): void {
    const model = this.model;
    model.kind = this.kind.subarray(0, length);
    model.glyph = this.glyph.subarray(0, length);
    model.fwd = this.fwd.subarray(0, length);
    model.flowOf = this.flowOf.subarray(0, length);
    model.chatter = { idle: this.idle.subarray(0, length), messages: model.chatter.messages };
  }
}
