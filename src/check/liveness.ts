/**
 * `liveness`: after the last fault heals, the system recovers within a bound — a write is
 * acknowledged again, and the final read (the consumer catching up) completes. This is the liveness
 * half of a run (TigerBeetle's VOPR runs a fault-free liveness phase after the safety phase; Jepsen
 * heals everything and checks that operations succeed again).
 *
 * Reads `fault` records (the last `end` or `instant`, or the `start` of a fault that never ends,
 * is when the system was last disturbed), `client` records (`produce`/`retry` create demand, `ack`
 * is progress, `final-read` the consumer's completion), `crash` records (a producer that crashes
 * forgets its requests, so they no longer wait) and the `meta` header (`durationUs`, and
 * `livenessBoundUs` when the scenario sets one; otherwise {@link DEFAULT_LIVENESS_BOUND_US}).
 *
 * Anomalies:
 *  - `no-recovery`: writes were outstanding at the heal or issued after it, and none was
 *    acknowledged within the bound. Cites the heal and the first write waiting.
 *  - `no-final-read`: the final read never completed.
 * A run whose workload was idle after the heal passes (nothing was asked of the system); stats say
 * so (`idle` 1).
 */
import { SECOND, formatMicros, type Micros, type TraceRecord } from '../kernel/contract/index.ts';
import { cite, eventsOf, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from './checker.ts';

export const DEFAULT_LIVENESS_BOUND_US: Micros = 5 * SECOND;

export const liveness: CheckerDefinition = {
  name: 'liveness',
  description: 'after the last fault heals, a write is acknowledged within the bound and the final read completes',
  create: () => new Liveness(),
};

class Liveness implements TraceChecker {
  readonly name = liveness.name;
  private boundUs = DEFAULT_LIVENESS_BOUND_US;
  private faults = 0;
  /** The last time a fault changed the world, and its record. */
  private heal: Citation | undefined;
  /** Events produced and not yet acknowledged or given up. */
  private readonly outstanding = new Map<string, Citation>();
  /** Since the last heal: the first write that waited, and the first acknowledgement. */
  private waiting: Citation | undefined;
  private firstAck: Citation | undefined;
  private finalRead: Citation | undefined;

  observe(record: TraceRecord): void {
    if (record.k === 'meta' && typeof record.livenessBoundUs === 'number') this.boundUs = record.livenessBoundUs;
    else if (record.k === 'fault') this.onFault(record);
    else if (record.k === 'client') this.onClient(record);
    else if (record.k === 'crash') this.forgetRequestsOf(record.a);
  }

  /** A producer that crashed lost its requests with its memory: they wait for nothing any more. */
  private forgetRequestsOf(actor: string): void {
    for (const [id, produced] of this.outstanding) if (produced.a === actor) this.outstanding.delete(id);
    if (this.waiting?.a === actor) this.waiting = this.outstanding.values().next().value;
  }

  private onFault(record: TraceRecord): void {
    if (record.phase === 'start') this.faults++;
    // Any fault change resets the clock: recovery is measured from the last disturbance.
    this.heal = cite(record);
    this.firstAck = undefined;
    this.waiting = this.outstanding.values().next().value;
  }

  private onClient(record: TraceRecord): void {
    switch (record.op) {
      case 'produce':
      case 'retry':
        for (const id of eventsOf(record)) if (!this.outstanding.has(id)) this.outstanding.set(id, cite(record));
        this.waiting ??= cite(record);
        break;
      case 'ack':
        this.firstAck ??= cite(record);
        for (const id of eventsOf(record)) this.outstanding.delete(id);
        break;
      case 'error':
        for (const id of eventsOf(record)) this.outstanding.delete(id);
        break;
      case 'final-read':
        this.finalRead ??= cite(record);
        break;
    }
  }

  verdict(): Verdict {
    const violations: Violation[] = [];
    const heal = this.heal;
    const recoveryUs = heal !== undefined && this.firstAck !== undefined ? this.firstAck.t - heal.t : undefined;
    const idle = heal !== undefined && this.waiting === undefined;
    if (heal !== undefined && !idle && (recoveryUs === undefined || recoveryUs > this.boundUs)) {
      const when = recoveryUs === undefined ? 'no write was acknowledged after it' : `the first acknowledgement came ${formatMicros(recoveryUs)} after it`;
      violations.push({
        anomaly: 'no-recovery',
        message: `the last fault change was at ${formatMicros(heal.t)} (${heal.a === 'world' ? 'fault' : heal.a}); ${when}, beyond the bound of ${formatMicros(this.boundUs)}`,
        cites: [heal, ...(this.waiting === undefined ? [] : [this.waiting])],
      });
    }
    if (this.finalRead === undefined) violations.push({ anomaly: 'no-final-read', message: 'the final read (the consumer catching up) never completed', cites: [] });
    return verdictOf(violations, {
      faults: this.faults,
      lastHealUs: heal?.t ?? 0,
      recoveryUs: recoveryUs ?? -1,
      boundUs: this.boundUs,
      idle: idle ? 1 : 0,
    });
  }
}
