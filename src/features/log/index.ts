/**
 * The replicated partitioned log (Kafka / Diaspora stream semantics) as a feature: the `log`
 * service kind, Kafka producer settings on workload producers, the `consumers:` section, the log
 * checkers (unobserved, nonmonotonic, skip, divergence, group-generations, produce-order) and the log metrics. The actors are in
 * `actors/`; what each guarantees, and the configurations that break it, are in their headers.
 */
import { defineFeature } from '../../scenario/feature.ts';
import { estimateLog } from './scenario/estimate.ts';
import { checkLogClients, checkLogService } from './scenario/cross-check.ts';
import { logActorNames } from './scenario/actor-names.ts';
import { resolveConsumer, resolveLogProducer, resolveLogService } from './scenario/resolve.ts';
import { consumerSchema, logProducerFields, logServiceSchema, type WrittenLogService } from './scenario/schema.ts';
import { name } from '../../scenario/fields.ts';
import { divergence } from './checks/divergence.ts';
import { nonmonotonic } from './checks/nonmonotonic.ts';
import { groupGenerations } from './checks/group-generations.ts';
import { produceOrder } from './checks/produce-order.ts';
import { skip } from './checks/skip.ts';
import { unobserved } from './checks/unobserved.ts';
import * as z from 'zod';

export type { ConsumerSpec, LogProducerSpec, LogServiceSpec, LogTopicSpec } from './scenario/types.ts';
export { deliveryWindow } from './scenario/producers.ts';
export { checkProducerStart } from './scenario/cross-check.ts';
export { resolveLogProducer } from './scenario/resolve.ts';
export { logProducerFields } from './scenario/schema.ts';
// For executors that speak the log's protocol to outside clients (exec/emulate/kafka).
export { brokerIds, controllerIds, MAX_REQUEST_SIZE_DEFAULT } from './actors/config.ts';
export type { Batch, FetchPartitionReply, FetchReply, FetchRequest, LogError, MetadataReply, NotControllerReply, PartitionMeta, ProduceReply } from './actors/messages.ts';
export { batchSizeInBytes, fetchOne, produceOne } from './actors/messages.ts';

export default defineFeature({
  name: 'log',
  description: 'A replicated, partitioned log with Kafka semantics: brokers, a controller, producers and consumer groups.',
  services: [logServiceSchema],
  producerFields: logProducerFields,
  sections: {
    consumers: z.record(name('consumer'), consumerSchema).default({}).describe('Consumer groups reading from log services, by name. Default none.'),
  },
  checkers: [unobserved, nonmonotonic, skip, divergence, groupGenerations, produceOrder],
  crossCheck(s, names, report) {
    for (const [service, spec] of Object.entries(s.services)) if (spec.kind === 'log') checkLogService(spec as WrittenLogService, ['services', service], names, report);
    checkLogClients(s, names, report);
  },
  actorNames: logActorNames,
  resolveService: (name, written, { sites, siteOf }) => resolveLogService(name, written as WrittenLogService, sites, siteOf),
  // A log producer's request timeout and retries are Kafka's (`request.timeout.ms`, `retries`).
  resolveProducer(producer) {
    const log = resolveLogProducer(producer);
    return { log, timeoutUs: log.requestTimeoutUs, retries: log.retries };
  },
  resolve(s, { place }) {
    const consumers = Object.entries(s.consumers ?? {}).map(([name, consumer]) => resolveConsumer(name, consumer, place(consumer)));
    return consumers.length === 0 ? {} : { consumers };
  },
  estimate: estimateLog,
  // Its build side (actors, clients, coverage paths): LOG_BUILD in scenario/build.ts (features/builds.ts).
});
