/**
 * Federated learning as a feature: the `federated:` section (a FedAvg server, its sites, the round
 * policy and the server's checkpointing through the checkpoint layer), the `fl-converges` checker
 * and the federated metric.
 */
import { defineFeature } from '../../scenario/feature.ts';
import { flConverges } from './checks/fl-converges.ts';
import { checkFederated } from './scenario/cross-check.ts';
import { resolveFederated } from './scenario/resolve.ts';
import { federatedSchema } from './scenario/schema.ts';

export type { FederatedSpec, FederatedSiteSpec } from './scenario/types.ts';

export default defineFeature({
  name: 'federated',
  description: 'Federated learning: a FedAvg server and its sites, rounds with deadlines or k-of-n, and a checkpointed server.',
  sections: {
    federated: federatedSchema
      .optional()
      .describe("A federated-learning job: a FedAvg server, its sites, the round policy and the server's checkpointing. Default none."),
  },
  checkers: [flConverges],
  crossCheck: checkFederated,
  resolve: (s, { sites, place }) => (s.federated === undefined ? {} : { federated: resolveFederated(s.federated, sites, place) }),
  // Its build side (actors, clients, coverage paths): FEDERATED_BUILD in scenario/build.ts (features/builds.ts).
});
