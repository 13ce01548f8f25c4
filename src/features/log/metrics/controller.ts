/**
 * Controller failover of a log service with a controller quorum, from its trace records: each time
 * the active controller is lost (its `crash` record, or its `controller-deactivate` when it loses
 * its majority), how long until another member takes office (`controller-activate`) and until the
 * new active controller decides its first metadata change (a fence, an election, an ISR change).
 *
 * Guarantee: a pure function of the trace. A loss that no activation follows before the end of the
 * run counts in `unrecovered`, never as a duration. The first change is the decision, recorded
 * when it is made; it is committed on a majority milliseconds later.
 */
import type { Micros, TraceRecord } from '../../../kernel/contract/index.ts';
import type { TraceMetric } from '../../../metrics/metric.ts';

const METADATA_CHANGE_OPS = ['elect', 'offline', 'fence', 'unfence', 'isr-shrink', 'isr-expand'];
const METADATA_CHANGES: ReadonlySet<unknown> = new Set(METADATA_CHANGE_OPS);

/** One service's quorum: its active controller, and a loss or failover in progress. */
interface Quorum {
  active: string | undefined;
  lostAtUs: Micros | undefined;
  /** A failover whose new controller has not decided anything yet. */
  awaitingChange: { readonly controller: string; readonly lostAtUs: Micros } | undefined;
}

export class ControllerMetrics implements TraceMetric {
  readonly name = 'controller';
  readonly kinds = ['crash', 'log'] as const;
  /** The controllers' ops `observe` folds: never the brokers' many replica records. */
  readonly ops = { log: ['controller-activate', 'controller-deactivate', ...METADATA_CHANGE_OPS] };
  /** By service (the controllers' ids are `<service>-controller[-i]`). */
  private readonly quorums = new Map<string, Quorum>();
  private readonly takeoverUs: Micros[] = [];
  private readonly firstChangeUs: Micros[] = [];

  observe(record: TraceRecord): void {
    if (record.k !== 'crash' && record.k !== 'log') return;
    const service = /^(.*)-controller(-\d+)?$/.exec(record.a)?.[1];
    if (service === undefined) return;
    let q = this.quorums.get(service);
    if (q === undefined) this.quorums.set(service, (q = { active: undefined, lostAtUs: undefined, awaitingChange: undefined }));
    const lost = (record.k === 'crash' || record.op === 'controller-deactivate') && record.a === q.active;
    if (lost && q.lostAtUs === undefined) q.lostAtUs = record.t;
    if (record.op === 'controller-activate') {
      if (q.lostAtUs !== undefined) {
        this.takeoverUs.push(record.t - q.lostAtUs);
        q.awaitingChange = { controller: record.a, lostAtUs: q.lostAtUs };
      }
      q.active = record.a;
      q.lostAtUs = undefined;
      return;
    }
    const awaiting = q.awaitingChange;
    if (awaiting !== undefined && record.a === awaiting.controller && METADATA_CHANGES.has(record.op)) {
      this.firstChangeUs.push(record.t - awaiting.lostAtUs);
      q.awaitingChange = undefined;
    }
  }

  result(): Record<string, unknown> {
    const summary = (values: readonly Micros[]) => ({ count: values.length, maxUs: Math.max(0, ...values), meanUs: values.length === 0 ? 0 : Math.round(values.reduce((a, b) => a + b, 0) / values.length) });
    return {
      failovers: this.takeoverUs.length,
      unrecovered: [...this.quorums.values()].filter((q) => q.lostAtUs !== undefined).length,
      takeover: summary(this.takeoverUs),
      firstMetadataChange: summary(this.firstChangeUs),
    };
  }
}
