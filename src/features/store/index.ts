/**
 * The single-node event store: a service that acknowledges producers' events and makes them
 * durable by its flush policy, producers that retry until acknowledged, and a final reader.
 * Its failure mode is the classic one: acknowledging from the page cache (`flush: 5s`) loses what
 * a power loss finds unsynced, which `no-acked-loss` names event by event.
 */
import { defineFeature } from '../../scenario/feature.ts';
import { checkPlacement } from '../../scenario/name-messages.ts';
import { eventStoreSchema, type WrittenEventStore } from './scenario/schema.ts';
import type { EventStoreSpec } from './scenario/types.ts';

export type { EventStoreSpec } from './scenario/types.ts';

export default defineFeature({
  name: 'store',
  description: 'A single-node durable event store with retrying producers and a final reader.',
  services: [eventStoreSchema],
  crossCheck(s, names, report) {
    for (const [name, service] of Object.entries(s.services)) if (service.kind === 'event-store') checkPlacement(service, ['services', name], names, report);
  },
  resolveService(name, written, { place }): EventStoreSpec {
    const store = written as WrittenEventStore;
    return { kind: 'event-store', name, ...place(store), flush: store.flush };
  },
  // Its build side (actors, clients, coverage paths): STORE_BUILD in scenario/build.ts (features/builds.ts).
});
