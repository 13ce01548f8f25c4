/**
 * The built-in features, in the order a scenario builds them (so the order actors are spawned in,
 * which every trace hash depends on). A plug-in is appended after them (`scenario/registry.ts`).
 */
import type { Feature } from '../scenario/feature.ts';
import alerts from './alerts/index.ts';
import checkpoint from './checkpoint/index.ts';
import federated from './federated/index.ts';
import forward from './forward/index.ts';
import log from './log/index.ts';
import pipeline from './pipeline/index.ts';
import raft from './raft/index.ts';
import store from './store/index.ts';

export const BUILTIN_FEATURES: readonly Feature[] = [store, log, forward, federated, alerts, pipeline, checkpoint, raft];
