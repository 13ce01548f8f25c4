/**
 * What pessimistic message logging costs (`checkpoint.message-logging: pessimistic`,
 * actors/message-log.ts), beside what it saves (the recovery metric's lost work):
 * - in the failure-free run, one fsync per group of entries: `syncs`, the `entries` (messages
 *   received and processing decisions) and `bytes` they carry, and the fsync time `syncUs` each
 *   received message and each finished event waited for;
 * - after a failure, the restored operator's replay: `replays` (restores), `replayedEvents` (logged
 *   decisions re-executed) and `replayedMessages` (received messages queued again from the log).
 *
 * Reads `ckpt` records `logged` and `replay`. Every number is zero without message logging, and the
 * run's summary then leaves the metric out.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { LatencyHistogram } from '../../../metrics/latency.ts';
import type { TraceMetric } from '../../../metrics/metric.ts';

export class MessageLogMetrics implements TraceMetric {
  readonly name = 'messageLog';
  readonly kinds = ['ckpt'] as const;
  private syncs = 0;
  private entries = 0;
  private bytes = 0;
  private readonly syncUs = new LatencyHistogram();
  private replays = 0;
  private replayedEvents = 0;
  private replayedMessages = 0;

  observe(record: TraceRecord): void {
    if (record.op === 'logged') {
      this.syncs++;
      this.entries += record.entries as number;
      this.bytes += record.bytes as number;
      this.syncUs.record(record.us as number);
    } else if (record.op === 'replay') {
      this.replays++;
      this.replayedEvents += record.events as number;
      this.replayedMessages += record.received as number;
    }
  }

  result(): Record<string, unknown> {
    const { syncs, entries, bytes, replays, replayedEvents, replayedMessages } = this;
    return { syncs, entries, bytes, syncUs: this.syncUs.percentiles(), replays, replayedEvents, replayedMessages };
  }
}
