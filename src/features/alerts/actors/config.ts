/**
 * Configuration and wire messages of the astronomical alert application: community brokers that
 * consume a survey's alert stream from a log service, keep per-object history, and fan filtered
 * alerts out to their subscribers. Plain data, so it crosses worker threads unchanged.
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import type { BurstShape } from '../../log/actors/index.ts';
import type { LogEndpoint } from '../../forward/actors/index.ts';
import type { SkyModel } from './sky.ts';

export interface AlertBrokerConfig {
  /** The topic the survey's alert producer writes (one alert per record), with the log's actors. */
  readonly source: LogEndpoint;
  /** The producer's burst shape: an alert's visit, and hence its nominal time, follows from its id. */
  readonly bursts: BurstShape;
  readonly sky: SkyModel;
  /** Bytes of one alert on the wire (with its image cutouts). */
  readonly alertBytes: number;
  /** Subscriber actor ids, sent the filtered alerts of every step. */
  readonly subscribers: readonly string[];
  /** Compute time to classify one alert (stretched by a `slow-node` fault), µs. */
  readonly classifyUs: Micros;
  /** Alerts classified in one step, at most (Kafka's consumer `max.poll.records`). */
  readonly maxPollRecords: number;
  /** An alert goes to subscribers once its object has at least this many detections (this one included). */
  readonly minDetections: number;
  /** How often the broker writes its per-object state with its log positions, µs. */
  readonly checkpointUs: Micros;
  /** Log fetch settings (the broker reads through the forwarders' `LogSource`). */
  readonly requestTimeoutUs: Micros;
  readonly retryBackoffUs: Micros;
  /** Fetched alerts per partition kept ahead of classification, bytes (the source's `readAheadBytes`). */
  readonly readAheadBytes: number;
  /** The brokers' consumers' max.partition.fetch.bytes (Kafka's default 1 MiB when absent). */
  readonly maxPartitionFetchBytes?: number;
}

/**
 * Broker → subscriber: one classification step — the alerts at `offset` … `offset + alerts − 1` of
 * a partition — with those that passed the broker's filter, classified. Every alert of the step is
 * delivered by it (filtered out or passed on); the payload carries the passed ones.
 */
export interface AlertNotice {
  readonly type: 'alert-notice';
  readonly partition: number;
  /** The offset of the step's first alert. */
  readonly offset: number;
  /** Alerts in the step (consecutive offsets). */
  readonly alerts: number;
  /**
   * The visits the step's alerts come from, in offset order: `[visit end µs, alerts]` runs adding
   * up to `alerts`. Latency is measured from the end of each alert's visit.
   */
  readonly visits: readonly (readonly [Micros, number])[];
  /** Alerts of the step that passed the filter, by class. */
  readonly brightening: number;
  readonly fading: number;
  readonly steady: number;
}

/** The paths the alert broker and its subscribers mark with `cover` (fault-coverage metric). */
export const ALERT_COVERAGE_PATHS = ['alerts.restore', 'alerts.redelivered'] as const;

/** Bytes of a notice beyond its alerts. */
export const NOTICE_HEADER_BYTES = 256;

