/**
 * What fault targets may name of the log's processes: a log service stands for its brokers and its
 * controller (`targets: [kafka]`), a consumer with several instances for its members, and each of
 * those by its actor id (`kafka-broker-2`). The final reader is the test's, not the system's: it
 * is not a target.
 *
 * Guarantee: the ids are the ones `build.ts` spawns (`brokerIds`, `<service>-controller`, members as
 * `resolveConsumer` names them), computed from fields that passed the schema.
 */
import type { ActorGroup } from '../../../scenario/feature.ts';
import { nodeNames } from '../../../scenario/topology.ts';
import type { ScenarioFields } from '../../../scenario/written-types.ts';
import { brokerIds, controllerIds } from '../actors/config.ts';
import { brokerNodesOf } from './resolve.ts';
import type { WrittenLogService } from './schema.ts';

export function logActorNames(s: ScenarioFields): (string | ActorGroup)[] {
  const sites = Object.entries(s.sites).map(([name, site]) => ({ name, nodes: [...nodeNames(name, site.nodes)] }));
  const services = Object.entries(s.services)
    .filter(([, service]) => service.kind === 'log')
    .map(([name, service]) => ({ name, actors: [...brokerIds(name, brokerNodesOf(service as WrittenLogService, sites).length), ...controllerIds(name, (service as WrittenLogService).controllers?.length ?? 1)] }));
  // One member is named as its consumer; several are <consumer>-1 … (resolveConsumer).
  const consumers = Object.entries(s.consumers ?? {}).map(([name, consumer]) =>
    consumer.instances === 1 ? name : { name, actors: Array.from({ length: consumer.instances }, (_, i) => `${name}-${i + 1}`) },
  );
  return [...services, ...consumers];
}
