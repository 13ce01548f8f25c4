/**
 * Places a log cluster: one broker per given node, the controller on its node (or a controller
 * quorum, one member per node), and the final reader. Actor ids are `<name>-broker-<i>`,
 * `<name>-controller` (a quorum's first member; the others `<name>-controller-<i>`, i ≥ 2) and
 * `<name>-reader`, so a trace names the service they belong to.
 *
 * Guarantee: pure placement, no behaviour: the same arguments give the same actors in the same
 * order (which decides the order of their events at equal times).
 */
import type { ActorFactory } from '../../../kernel/contract/index.ts';
import { Broker } from './broker.ts';
import { brokerIds, CLUSTER_DEFAULTS, controllerIds, type ClusterConfig } from './config.ts';
import { Controller } from './controller.ts';
import { LogFinalReader } from './final-reader.ts';

/** What places an actor on a node — a `World` — as far as placement needs it (actor code never sees the world). */
export interface Placer {
  spawn(id: string, node: string, factory: ActorFactory): void;
}

export interface ClusterPlacement {
  /** Prefix of the actor ids (the service's name). */
  readonly name: string;
  /** One broker on each of these nodes (a node may be listed twice for two brokers). */
  readonly brokerNodes: readonly string[];
  readonly controllerNode: string;
  /** A controller quorum (KRaft): one member per node, the first on `controllerNode`. Absent or one node: a single controller. */
  readonly controllerNodes?: readonly string[];
}

export type ClusterSettings = Partial<Omit<ClusterConfig, 'brokers' | 'controller' | 'controllers' | 'topics'>> & Pick<ClusterConfig, 'topics'>;

export interface SpawnedCluster {
  readonly config: ClusterConfig;
  readonly brokers: readonly string[];
  readonly controller: string;
  /** Every controller's actor id (one for a single controller). */
  readonly controllers: readonly string[];
  /** Broker actor id → its node. */
  readonly nodeOf: ReadonlyMap<string, string>;
}

export function spawnLogCluster(world: Placer, placement: ClusterPlacement, settings: ClusterSettings): SpawnedCluster {
  const brokers = brokerIds(placement.name, placement.brokerNodes.length);
  const controllerNodes = placement.controllerNodes !== undefined && placement.controllerNodes.length > 1 ? placement.controllerNodes : [placement.controllerNode];
  const controllers = controllerIds(placement.name, controllerNodes.length);
  const controller = controllers[0]!;
  const quorum = controllers.length > 1 ? { controllers } : {};
  const config: ClusterConfig = { ...CLUSTER_DEFAULTS, ...settings, brokers, controller, ...quorum };
  const nodeOf = new Map<string, string>();
  controllers.forEach((id, i) => world.spawn(id, controllerNodes[i]!, () => new Controller(config)));
  brokers.forEach((id, i) => {
    const node = placement.brokerNodes[i]!;
    nodeOf.set(id, node);
    world.spawn(id, node, () => new Broker(id, config));
  });
  return { config, brokers, controller, controllers, nodeOf };
}

/**
 * Spawns the final reader of a cluster, reading every topic from `readAtUs`. Its page
 * (`max.partition.fetch.bytes`) is Kafka's 1 MiB default, or the largest batch a topic accepts
 * (`max.message.bytes`) when that is larger — as Kafka's documentation asks of consumers of such a
 * topic. (With 1 MiB pages and 2 MiB batches a fetch returned one batch of one partition, the
 * first one's minimum: an x-ray hour's final read took ≈ 120,000 round trips.)
 */
export function spawnFinalReader(world: Placer, cluster: SpawnedCluster, name: string, node: string, readAtUs: number): string {
  const id = `${name}-reader`;
  const topics = cluster.config.topics.map((t) => ({ name: t.name, partitions: t.partitions }));
  const pageBytes = Math.max(1 << 20, ...cluster.config.topics.map((t) => t.maxMessageBytes ?? 0));
  world.spawn(id, node, () => new LogFinalReader({ topics, brokers: cluster.brokers, readAtUs, pageBytes, timeoutUs: 500_000, retryUs: 100_000 }));
  return id;
}
