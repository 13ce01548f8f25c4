/**
 * Federated learning over the simulated network: a FedAvg server and its sites, with a closed-form
 * quadratic objective so that the global loss is exact (see ../shared/objective.ts).
 */
export * from '../shared/objective.ts';
export * from './config.ts';
export * from './site.ts';
export * from './server.ts';
