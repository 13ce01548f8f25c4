/**
 * Fault coverage: which failure-handling paths the protocols actually executed in a run — recovery
 * after a restart, retries, truncation of a torn log tail, and later leader election, ISR shrink,
 * consumer rebalance, checkpoint restore — so a user can tell a nemesis that tested something from
 * one that did not (FoundationDB's simulator marks and counts its fault paths the same way).
 *
 * The convention, for protocol authors:
 *  - Mark a path by adding `cover: '<protocol>.<path>'` to the trace record that documents the
 *    action (`ctx.record('client', { op: 'retry', …, cover: 'producer.retry' })`). Where the action
 *    has no record of its own, write one of the kind it belongs to (`log` for a log's recovery or
 *    truncation, `ckpt` for a restore, `state` for an operator) with the `cover` field — never a
 *    `send`, `recv`, `timer` or `disk` record: those are the kernel's and the disk model's, and
 *    this metric does not read them.
 *  - Names are `<protocol>.<path>`, lower-case with dashes: `store.recover`, `log.leader-election`,
 *    `log.isr-shrink`, `log.truncate`, `consumer.rebalance`, `ckpt.restore`.
 *  - Export the list of paths a protocol can mark (`STORE_COVERAGE_PATHS`) and pass it to this
 *    metric where the run is built (scenario/build.ts), so the summary also lists the paths a run
 *    never reached.
 *
 * Guarantee: a pure fold over the trace; memory is one counter per distinct path. The result lists
 * hits per path in the order paths were first hit, and the known paths that were missed.
 */
import { KERNEL_HOT_KINDS, RECORD_KINDS, type RecordKind, type TraceRecord } from '../kernel/contract/index.ts';
import type { TraceMetric } from './metric.ts';

/** The kinds written by the kernel and the world, never by a protocol marking a path. */
const UNCOVERED_KINDS: readonly RecordKind[] = [...KERNEL_HOT_KINDS, 'disk'];

export class FaultCoverage implements TraceMetric {
  readonly name = 'coverage';
  /**
   * Every kind a protocol writes: the kernel's own `send`, `recv` and `timer` records and the disk
   * model's `disk` records (world/disk.ts) carry no `cover`, and leaving them out lets a run whose
   * other observers do not read them skip making them (TraceWriter.listen).
   */
  readonly kinds = RECORD_KINDS.filter((kind) => !UNCOVERED_KINDS.includes(kind));
  /** Only records that mark a path: a run's many records written by shape (a replica's `hw`, an operator's step) have no `cover`. */
  readonly carrying = 'cover';
  private readonly hits = new Map<string, number>();

  /** @param known every path the run's protocols can mark, to report the ones never hit. */
  constructor(private readonly known: readonly string[] = []) {}

  observe(record: TraceRecord): void {
    const path = record.cover;
    if (typeof path === 'string') this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
  }

  result(): Record<string, unknown> {
    return {
      distinct: this.hits.size,
      known: new Set([...this.known, ...this.hits.keys()]).size,
      hits: Object.fromEntries(this.hits),
      missed: this.known.filter((path) => !this.hits.has(path)),
    };
  }
}
