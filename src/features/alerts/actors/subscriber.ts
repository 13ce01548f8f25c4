/**
 * A subscriber of a community broker (a science team's filter endpoint, a follow-up telescope's
 * scheduler): it receives the broker's filtered alerts, one notice per classification step, and
 * records when each arrived.
 *
 * Delivery time is when the notice arrives here, so latency (`now − the end of each alert's
 * visit`, computed by the `alerts` metric from the notice's visits) includes the log, the broker's
 * queue and classification, and the fan-out over the network. A notice covering alerts received
 * before (the broker replayed after a crash) is recorded too, with how many of its alerts this
 * subscriber had already seen (`redelivered`); the subscriber keeps that knowledge in memory only,
 * so after its own crash a repeat is not recognised — the `alerts` metric counts first receipts
 * per alert itself.
 *
 * Guarantee: every notice that arrives is recorded once, on arrival, and its `redelivered` is
 * exactly how many of its alerts lie below the furthest offset this incarnation has received on
 * that partition.
 *
 * How it breaks: notices are not acknowledged, so one sent while this subscriber is down, or lost
 * to a partition or packet loss, is not recorded — a broker sends a notice again only when it
 * replays after a crash of its own; after a crash of the subscriber a repeat counts as new; and it
 * relies on a broker sending each partition in offset order — a notice a reordering link holds
 * back is counted as a redelivery when it finally arrives. Shown by
 * test/features/alerts/subscriber.test.ts.
 *
 * Records (`state`): `alert-delivered` (broker, partition, offset, alerts, visits, passed, and
 * `redelivered` when some were seen before, marking the coverage path `alerts.redelivered`).
 */
import type { Actor, Context } from '../../../kernel/contract/index.ts';
import type { AlertNotice } from './config.ts';

export class AlertSubscriber implements Actor<AlertNotice> {
  /** Per partition, the offset after the last alert received (a broker sends each partition in offset order). */
  private readonly seenEnd = new Map<number, number>();

  onMessage(ctx: Context, notice: AlertNotice, from: string): void {
    const end = notice.offset + notice.alerts;
    const seenEnd = this.seenEnd.get(notice.partition) ?? 0;
    const redelivered = Math.max(0, Math.min(seenEnd, end) - notice.offset);
    this.seenEnd.set(notice.partition, Math.max(seenEnd, end));
    ctx.record('state', {
      op: 'alert-delivered',
      broker: from,
      partition: notice.partition,
      offset: notice.offset,
      alerts: notice.alerts,
      visits: notice.visits,
      passed: notice.brightening + notice.fading + notice.steady,
      ...(redelivered > 0 ? { redelivered, cover: 'alerts.redelivered' } : {}),
    });
  }
}
