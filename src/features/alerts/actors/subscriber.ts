/**
 * A subscriber of a community broker (a science team's filter endpoint, a follow-up telescope's
 * scheduler): it receives the broker's filtered alerts and records when each packet arrived.
 *
 * Delivery time is when the notice arrives here, so the latency it records
 * (`latencyUs = now − visitUs`) includes the log, the broker's queue and classification, and the
 * fan-out over the network. A notice received again (the broker replayed after a crash) is
 * recorded again with `duplicate: true`; the subscriber keeps what it saw in memory only, so after
 * its own crash a repeat is not recognised — the `alerts` metric counts first receipts per packet.
 *
 * Records (`state`): `alert-delivered` (broker, packet, visitUs, latencyUs, alerts, duplicate); a
 * repeat marks the coverage path `alerts.redelivered`.
 */
import type { Actor, Context } from '../../../kernel/contract/index.ts';
import type { AlertNotice } from './config.ts';

export class AlertSubscriber implements Actor<AlertNotice> {
  private readonly seen = new Set<string>();

  onMessage(ctx: Context, notice: AlertNotice, from: string): void {
    const duplicate = this.seen.has(notice.packet);
    this.seen.add(notice.packet);
    ctx.record('state', {
      op: 'alert-delivered',
      broker: from,
      packet: notice.packet,
      visitUs: notice.visitUs,
      latencyUs: ctx.now() - notice.visitUs,
      alerts: notice.brightening + notice.fading + notice.steady,
      ...(duplicate ? { duplicate: true, cover: 'alerts.redelivered' } : {}),
    });
  }
}
