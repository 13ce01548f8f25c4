/**
 * Configuration and wire messages of the astronomical alert application: community brokers that
 * consume a survey's alert stream from a log service, keep per-object history, and fan filtered
 * alerts out to their subscribers. Plain data, so it crosses worker threads unchanged.
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import type { BurstShape } from '../../log/actors/index.ts';
import type { LogEndpoint } from '../../forward/actors/index.ts';

/** The alerts of one log event (a packet): how many, what each weighs, and the sky they come from. */
export interface PacketModel {
  /** Alerts per packet (one log event); every packet is full. */
  readonly alerts: number;
  /** Bytes of one alert on the wire (with its image cutouts). */
  readonly alertBytes: number;
  /** Distinct objects on the sky: alert object ids are drawn from [0, objects). */
  readonly objects: number;
  /** Seeds the sky (which objects a packet's alerts see, and their magnitudes): the run's seed. */
  readonly skySeed: number | string;
}

export interface AlertBrokerConfig {
  /** The topic the survey's alert producer writes, with the log's actors. */
  readonly source: LogEndpoint;
  /** The producer's burst shape: a packet's visit, and hence its nominal time, follows from its id. */
  readonly bursts: BurstShape;
  readonly packet: PacketModel;
  /** Subscriber actor ids, sent every filtered packet. */
  readonly subscribers: readonly string[];
  /** Compute time to classify one packet (stretched by a `slow-node` fault), µs. */
  readonly classifyUs: Micros;
  /** An alert goes to subscribers once its object has at least this many detections (this one included). */
  readonly minDetections: number;
  /** How often the broker writes its per-object state with its log positions, µs. */
  readonly checkpointUs: Micros;
  /** Log fetch settings (the fetch loop is the forwarder's `LogSource`). */
  readonly requestTimeoutUs: Micros;
  readonly retryBackoffUs: Micros;
  readonly fetchMaxBytes: number;
}

/** Broker → subscriber: the alerts of one packet that passed the broker's filter, classified. */
export interface AlertNotice {
  readonly type: 'alert-notice';
  /** The packet's event id in the log. */
  readonly packet: string;
  /** The end of the packet's visit, µs: latency is measured from it. */
  readonly visitUs: Micros;
  /** Alerts of the packet that passed the filter, by class. */
  readonly brightening: number;
  readonly fading: number;
  readonly steady: number;
}

/** The paths the alert broker and its subscribers mark with `cover` (fault-coverage metric). */
export const ALERT_COVERAGE_PATHS = ['alerts.restore', 'alerts.redelivered'] as const;

/** Bytes of a notice beyond its alerts. */
export const NOTICE_HEADER_BYTES = 256;

/** Rubin's requirement: alerts distributed within 60 s of the end of the visit (the LSST SRD's OTT1). */
export const ALERT_DEADLINE_US = 60_000_000;
