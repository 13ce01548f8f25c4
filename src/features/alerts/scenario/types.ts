/**
 * The resolved `alerts:` section: placement resolved to nodes and actor ids, units as integers.
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import type { BurstShape } from '../../log/actors/index.ts';
import type { LogProducerSpec } from '../../log/index.ts';

export interface AlertBrokerSpec {
  /** Actor id: the broker's name as written. */
  readonly name: string;
  readonly site: string;
  /** The broker's node: the site's first. */
  readonly node: string;
  /** Subscriber actor ids, `<broker>-subscriber-<i>`, on `subscriberNode` (the site's last node). */
  readonly subscribers: readonly string[];
  readonly subscriberNode: string;
  readonly classifyUs: Micros;
  readonly minDetections: number;
  /** Alerts classified in one step (`max.poll.records`). */
  readonly maxPollRecords: number;
}

export interface AlertsSpec {
  readonly producer: {
    /** Actor id: `alert-producer`. */
    readonly actor: string;
    readonly node: string;
    readonly site: string;
    readonly service: string;
    /** Visits as bursts of alerts (one log record per alert). */
    readonly bursts: BurstShape;
    readonly log: LogProducerSpec;
  };
  readonly alertBytes: number;
  readonly objects: number;
  readonly brokers: readonly AlertBrokerSpec[];
  readonly checkpointUs: Micros;
  /** The latency requirement the alerts metric counts against (Rubin: 60 s). */
  readonly latencyTargetUs: Micros;
}

declare module '../../../scenario/types.ts' {
  interface FeatureSections {
    /** A survey's alert stream with its community brokers; absent when the file has none. */
    readonly alerts?: AlertsSpec;
  }
}
