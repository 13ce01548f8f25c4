/**
 * Store-and-forward between tiers as a feature: the `forwarders:` section (from an edge buffer or a
 * log topic, to a log topic), the `forwarded-once` checker and the forwarding metrics. Producers may
 * name an edge-buffer forwarder as their service.
 */
import * as z from 'zod';
import { name } from '../../scenario/fields.ts';
import { defineFeature } from '../../scenario/feature.ts';
import { forwardedOnce } from './checks/forwarded-once.ts';
import { bufferForwarders, checkForwarders } from './scenario/cross-check.ts';
import { resolveForwarder } from './scenario/resolve.ts';
import { forwarderSchema } from './scenario/schema.ts';

export type { ForwarderSpec } from './scenario/types.ts';

export default defineFeature({
  name: 'forward',
  description: 'Store-and-forward bridges between tiers: a bounded durable edge buffer or a log topic, forwarded to a log topic at least once.',
  sections: {
    forwarders: z
      .record(name('forwarder'), forwarderSchema)
      .default({})
      .describe('Store-and-forward bridges between tiers, by name: from an edge buffer or a log topic to a log topic. Default none.'),
  },
  checkers: [forwardedOnce],
  serviceNames: bufferForwarders,
  crossCheck: checkForwarders,
  resolve(s, { place }) {
    const forwarders = Object.entries(s.forwarders ?? {}).map(([name, f]) => resolveForwarder(name, f, place(f)));
    return forwarders.length === 0 ? {} : { forwarders };
  },
  // Its build side (actors, clients, coverage paths): FORWARD_BUILD in scenario/build.ts (features/builds.ts).
});
