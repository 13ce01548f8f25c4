/**
 * Configuration and wire messages of the federated-learning application (server and sites).
 * Plain data, so it crosses worker threads unchanged.
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import { SECOND } from '../../../kernel/contract/index.ts';
import type { CheckpointConfig } from '../../checkpoint/actors/index.ts';
import type { Vector } from '../shared/objective.ts';

export const FL_POLICIES = ['wait-all', 'k-of-n', 'deadline'] as const;
export type FlPolicy = (typeof FL_POLICIES)[number];

/** How a round ends: every site, the first k, or whatever arrived by the deadline (at least one). */
export type RoundPolicy =
  | { readonly kind: 'wait-all' }
  | { readonly kind: 'k-of-n'; readonly k: number }
  | { readonly kind: 'deadline'; readonly deadlineUs: Micros };

/** A site's local compute time per round: lognormal around a median, stragglers slower. */
export interface ComputeModel {
  /** Median local training time of a normal site, µs. */
  readonly medianUs: Micros;
  /** σ of the underlying normal (per-round spread); 0 = always the median. */
  readonly sigma: number;
  /** Probability that a site is a straggler, drawn once per site from its data stream. */
  readonly stragglerProbability: number;
  /** A straggler's compute time multiplier (≥ 1). */
  readonly stragglerSlowdown: number;
}

export interface FlServerConfig {
  /** Actor ids of the sites, in the order the objective lists them. */
  readonly sites: readonly string[];
  readonly rounds: number;
  readonly policy: RoundPolicy;
  readonly modelDim: number;
  /** Bytes of one model or update on the wire, and of one checkpoint. */
  readonly updateBytes: number;
  /**
   * How the model is checkpointed (strategy `stream-replay` or `multilevel`: independent
   * checkpoints, local recovery; an `events` interval counts completed rounds); undefined = never.
   */
  readonly checkpoint: CheckpointConfig | undefined;
  /** Re-send the round's model to sites that have not answered after this long, µs. */
  readonly resendUs: Micros;
}

export interface FlSiteConfig {
  readonly server: string;
  readonly modelDim: number;
  readonly updateBytes: number;
  readonly localSteps: number;
  readonly learningRate: number;
  readonly compute: ComputeModel;
}

/** Defaults for fields a scenario may leave out. */
export const FL_DEFAULTS = {
  rounds: 30,
  modelDim: 8,
  updateBytes: 20 * 1024 * 1024,
  localSteps: 1,
  learningRate: 0.1,
  resendUs: 30 * SECOND,
  compute: { medianUs: 30 * SECOND, sigma: 0.25, stragglerProbability: 0.2, stragglerSlowdown: 4 } satisfies ComputeModel,
} as const;

/** Bytes of a small control message (hello, join). */
export const CONTROL_BYTES = 256;

/** Server → site: "send me your objective" (at start and after a restart without one). */
export interface HelloMessage {
  readonly type: 'fl-hello';
}

/** Site → server: the site's data, for the server's evaluation oracle (see server.ts). */
export interface JoinMessage {
  readonly type: 'fl-join';
  readonly centre: Vector;
  readonly samples: number;
}

/** Server → site: the global model of a round. `started` (the round's start time) names the attempt. */
export interface ModelMessage {
  readonly type: 'fl-model';
  readonly round: number;
  readonly started: Micros;
  readonly weights: Vector;
}

/** Site → server: the locally trained model for the attempt it names. */
export interface UpdateMessage {
  readonly type: 'fl-update';
  readonly round: number;
  readonly started: Micros;
  readonly weights: Vector;
  readonly samples: number;
}

export type ToServer = JoinMessage | UpdateMessage;
export type ToSite = HelloMessage | ModelMessage;
