/**
 * The single-node event store with its producer and final-reader clients.
 */
export * from './messages.ts';
export * from './event-store.ts';
export * from './producer.ts';
export * from './reader.ts';
