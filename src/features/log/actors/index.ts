/**
 * The replicated partitioned log (Kafka / Diaspora stream semantics): brokers, the controller,
 * producer and consumer clients, and the final reader, as actors over the simulated network and
 * disks. `cluster.ts` places a whole cluster in a world.
 */
export * from './config.ts';
export * from './messages.ts';
export { Broker } from './broker.ts';
export { Controller } from './controller.ts';
export { LogProducer } from './producer.ts';
export * from './bursts.ts';
export { LogConsumer } from './consumer.ts';
export { BOOTSTRAP_RNG } from './metadata-view.ts';
export { ConnectionStates } from './connection-states.ts';
export { ClientFetcher, FETCH_MAX_BYTES_DEFAULT, FETCH_MAX_WAIT_DEFAULT_US, MAX_PARTITION_FETCH_BYTES_DEFAULT, type ClientFetchOwner, type ClientFetchSettings } from './client-fetcher.ts';
export { ClientNetwork } from './client-network.ts';
export { RequestDeadlines } from './request-deadlines.ts';
export { DrainIndex, itemsPerLeader } from './drain-index.ts';
export { ExponentialBackoff, RETRY_BACKOFF_MAX_DEFAULT_US } from './exponential-backoff.ts';
export { InFlightRequests, type InFlightOwner, type Lost } from './in-flight-requests.ts';
export { LogFinalReader, type FinalReaderConfig } from './final-reader.ts';
export { electLeader, assignReplicas } from './elections.ts';
export { rangeAssignment } from './group-coordinator.ts';
export * from './cluster.ts';
