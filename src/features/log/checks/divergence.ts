/**
 * `divergence`: replicas never disagree below their high watermarks. Whenever a replica's high
 * watermark passes an offset, the event it holds there is the one every other replica held there
 * when its own high watermark passed it: the committed log is one log. Kafka without leader-epoch
 * truncation (KIP-101's second scenario) and unclean elections both break it.
 *
 * The checker rebuilds each replica's content from the brokers' `log` records — `append` and
 * `replicate` (offset and event ids), `truncate` (new end; with `logStart`, a reset), `recover`
 * (what the log held after a restart), `hw` — and its durability from the `disk` records: an
 * `fsync` captures the content it will make durable, its `fsync-done` makes it so, and a power
 * loss (`crash` with scope `node`) rolls every replica of the actor back to its durable content,
 * as the simulated disk does. The page cache's background writeback (`writeback` records, whole
 * files) can make more durable than the fsyncs did: a `recover` record that finds a longer log,
 * but one no longer than the replica held before the loss, is taken to hold that prefix of it
 * (stat `writtenBack`, in offsets). If a `recover` record disagrees with that model otherwise (a
 * disk fault the model does not follow), the replica's recovered content is marked unknown and is
 * not compared (stat `unverified`).
 *
 * The first replica whose high watermark passes an offset fixes the committed event there; each
 * violation cites that `hw` record and the one of the replica that disagrees. Memory grows with
 * the number of events replicated (one id per offset per replica).
 */
import { formatMicros, type TraceRecord } from '../../../kernel/contract/index.ts';
import { cite, eventsOf, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';

export const divergence: CheckerDefinition = {
  name: 'divergence',
  live: true,
  description: 'replicas agree on every offset below their high watermarks',
  create: () => new Divergence(),
  vacuous: (stats) => (stats.compared === 0 ? '0 replica logs compared' : undefined),
};

/** One replica's content as the checker believes it: ids by offset from `base` (undefined = unknown). */
interface ReplicaModel {
  base: number;
  /** Copied on truncation, never cut in place, so a durable snapshot keeps its view. */
  ids: (string | undefined)[];
  /** Offsets below this were compared against the committed log. */
  checked: number;
  /** What the replica held just before its node's last power loss, until it recovers. */
  beforeLoss?: { readonly base: number; readonly ids: (string | undefined)[] };
}

interface Snapshot {
  readonly base: number;
  readonly ids: (string | undefined)[];
  readonly length: number;
}

interface Committed {
  readonly id: string;
  readonly by: Citation;
}

class Divergence implements TraceChecker {
  readonly name = divergence.name;
  private readonly replicas = new Map<string, Map<string, ReplicaModel>>();
  private readonly pendingSyncs = new Map<string, Map<string, Snapshot>[]>();
  private readonly durable = new Map<string, Map<string, Snapshot>>();
  private readonly committed = new Map<string, Map<number, Committed>>();
  private readonly violations: Violation[] = [];
  private compared = 0;
  private unverified = 0;
  private writtenBack = 0;
  private diverged = 0;

  observe(record: TraceRecord): void {
    if (record.k === 'log') this.onLog(record);
    else if (record.k === 'disk' && this.replicas.has(record.a)) this.onDisk(record);
    else if (record.k === 'crash' && record.scope === 'node' && this.replicas.has(record.a)) this.powerLoss(record.a);
  }

  private onLog(record: TraceRecord): void {
    if (typeof record.topic !== 'string' || typeof record.partition !== 'number' || typeof record.offset !== 'number') return;
    const op = record.op;
    if (op !== 'append' && op !== 'replicate' && op !== 'truncate' && op !== 'recover' && op !== 'hw') return;
    const tp = `${record.topic}-${record.partition}`;
    const model = this.model(record.a, tp);
    const offset = record.offset;
    switch (op) {
      case 'append':
      case 'replicate':
        return this.appended(model, offset, eventsOf(record));
      case 'truncate':
        if (typeof record.logStart === 'number') this.resetTo(model, record.logStart);
        else this.cut(model, offset);
        return;
      case 'recover':
        return this.recovered(model, offset, typeof record.logStart === 'number' ? record.logStart : 0);
      case 'hw':
        return this.highWatermark(model, tp, offset, record);
    }
  }

  private appended(model: ReplicaModel, offset: number, events: readonly string[]): void {
    const end = model.base + model.ids.length;
    if (model.ids.length === 0) model.base = offset;
    else if (offset < end) this.cut(model, offset);
    else while (model.base + model.ids.length < offset) model.ids.push(undefined);
    for (const id of events) model.ids.push(id);
  }

  private cut(model: ReplicaModel, offset: number): void {
    model.ids = model.ids.slice(0, Math.max(0, offset - model.base));
    model.checked = Math.min(model.checked, offset);
  }

  private resetTo(model: ReplicaModel, start: number): void {
    model.ids = [];
    model.base = start;
    model.checked = Math.min(model.checked, start);
  }

  /**
   * A restarted replica says what its log holds. Longer than its fsyncs made durable, but within
   * what it held before the power loss: the page cache wrote that prefix back. Any other
   * disagreement: its content is unknown.
   */
  private recovered(model: ReplicaModel, logEnd: number, logStart: number): void {
    const before = model.beforeLoss;
    delete model.beforeLoss;
    const end = model.base + model.ids.length;
    const matches = logEnd === logStart ? true : end === logEnd && model.base <= logStart;
    if (matches) {
      if (logEnd === logStart) this.resetTo(model, logStart);
      return;
    }
    if (before !== undefined && logEnd > end && before.base <= Math.max(logStart, model.base) && logEnd <= before.base + before.ids.length) {
      this.writtenBack += logEnd - end;
      model.base = before.base;
      model.ids = before.ids.slice(0, logEnd - before.base);
      return;
    }
    this.unverified += logEnd - logStart;
    model.ids = new Array<string | undefined>(logEnd - logStart).fill(undefined);
    model.base = logStart;
    model.checked = Math.min(model.checked, logStart);
  }

  private highWatermark(model: ReplicaModel, tp: string, hw: number, record: TraceRecord): void {
    let committed = this.committed.get(tp);
    if (committed === undefined) this.committed.set(tp, (committed = new Map()));
    const upTo = Math.min(hw, model.base + model.ids.length);
    let reported = false;
    for (let offset = Math.max(model.checked, model.base); offset < upTo; offset++) {
      const id = model.ids[offset - model.base];
      if (id === undefined) continue;
      const known = committed.get(offset);
      if (known === undefined) {
        committed.set(offset, { id, by: cite(record) });
        continue;
      }
      this.compared++;
      if (known.id === id) continue;
      this.diverged++;
      if (reported) continue;
      reported = true;
      this.violations.push({
        anomaly: 'divergence',
        message:
          known.by.a === record.a
            ? `${record.a} holds ${id} at ${tp} offset ${offset}, below its high watermark ${hw}, but held ${known.id} there below its high watermark at ${formatMicros(known.by.t)}: the committed log changed`
            : `${record.a} holds ${id} at ${tp} offset ${offset}, below its high watermark ${hw}, but ${known.by.a} held ${known.id} there below its own`,
        events: [id, known.id],
        cites: [known.by, cite(record)],
      });
    }
    model.checked = Math.max(model.checked, upTo);
  }

  // --- durability --------------------------------------------------------------------------------

  private onDisk(record: TraceRecord): void {
    const actor = record.a;
    let pending = this.pendingSyncs.get(actor);
    if (pending === undefined) this.pendingSyncs.set(actor, (pending = []));
    if (record.op === 'fsync') {
      const snapshot = new Map<string, Snapshot>();
      for (const [tp, m] of this.replicas.get(actor)!) snapshot.set(tp, { base: m.base, ids: m.ids, length: m.ids.length });
      pending.push(snapshot);
    } else if (record.op === 'fsync-done') {
      const done = pending.shift();
      if (done !== undefined) this.durable.set(actor, done);
    }
  }

  private powerLoss(actor: string): void {
    this.pendingSyncs.set(actor, []);
    const durable = this.durable.get(actor);
    for (const [tp, model] of this.replicas.get(actor)!) {
      const kept = durable?.get(tp);
      model.beforeLoss = { base: model.base, ids: model.ids };
      model.ids = kept === undefined ? [] : kept.ids.slice(0, kept.length);
      if (kept !== undefined) model.base = kept.base;
      model.checked = Math.min(model.checked, model.base + model.ids.length);
    }
  }

  private model(actor: string, tp: string): ReplicaModel {
    let models = this.replicas.get(actor);
    if (models === undefined) this.replicas.set(actor, (models = new Map()));
    let model = models.get(tp);
    if (model === undefined) models.set(tp, (model = { base: 0, ids: [], checked: 0 }));
    return model;
  }

  verdict(): Verdict {
    return verdictOf(this.violations, { replicas: this.replicas.size, compared: this.compared, diverged: this.diverged, unverified: this.unverified, writtenBack: this.writtenBack });
  }
}
