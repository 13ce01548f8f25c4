/**
 * The resolved `forwarders:` section: units as integers, placement resolved, the destination's
 * (and a log source's) site named so the builder can cut the link outside a connectivity window.
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import type { EdgeBufferConfig } from '../actors/config.ts';
import type { ConnectivityWindow } from '../actors/window.ts';

export type { ConnectivityWindow } from '../actors/window.ts';

export interface ForwarderSpec {
  readonly name: string;
  readonly node: string;
  readonly site: string;
  readonly from: { readonly kind: 'buffer'; readonly buffer: EdgeBufferConfig } | { readonly kind: 'log'; readonly service: string; readonly topic: string };
  readonly to: { readonly service: string; readonly topic: string };
  readonly batchBytes: number;
  readonly maxInFlight: number;
  readonly requestTimeoutUs: Micros;
  readonly retryBackoffUs: Micros;
  readonly maxBackoffUs: Micros;
  /** Absent: the link is always up. */
  readonly window?: ConnectivityWindow;
}

declare module '../../../scenario/types.ts' {
  interface FeatureSections {
    /** Store-and-forward bridges between tiers; absent when the file has none. */
    readonly forwarders?: readonly ForwarderSpec[];
  }
}
