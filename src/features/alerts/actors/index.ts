/**
 * Astronomical alert processing: a survey's alert stream in a log service, community brokers with
 * per-object history, and their subscribers. Guarantees and failure modes are in broker.ts.
 */
export * from './config.ts';
export * from './sky.ts';
export * from './object-history.ts';
export { AlertBroker } from './broker.ts';
export { AlertSubscriber } from './subscriber.ts';
