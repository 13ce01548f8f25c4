/** The resolved `event-store` service. */
import type { FlushPolicy } from '../../../scenario/types.ts';

/** A single-node durable event store. */
export interface EventStoreSpec {
  readonly kind: 'event-store';
  readonly name: string;
  /** The node it runs on (resolved from `site:` to that site's first node). */
  readonly node: string;
  /** The site of `node`. */
  readonly site: string;
  readonly flush: FlushPolicy;
}

declare module '../../../scenario/types.ts' {
  interface ServiceKinds {
    'event-store': EventStoreSpec;
  }
}
