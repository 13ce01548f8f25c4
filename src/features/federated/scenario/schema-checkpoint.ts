/**
 * The `federated.checkpoint:` section: how the FL server checkpoints its model through the
 * checkpoint layer (src/features/checkpoint/actors/) — when (`every` N rounds, a duration, adaptive, or
 * never), on which tier, where that tier's store runs, and whether node-local checkpoints are also
 * flushed to a remote tier now and then (the `multilevel` strategy).
 *
 * Guarantee: `every` becomes the interval of the checkpoint layer (a completed round is the
 * server's unit of work, so `5 rounds` is that layer's events interval of 5); the adaptive
 * parameters are the `checkpoint:` section's own fields. Whether `store` names a node or site, and
 * is given exactly when the tier needs one, is checked by `cross-check-federated.ts`.
 */
import * as z from 'zod';
import { TIER_NAMES } from '../../checkpoint/index.ts';
import { count, reference } from '../../../scenario/fields.ts';
import { adaptiveIntervalFields, intervalField } from '../../pipeline/index.ts';

export const federatedCheckpointSchema = z
  .strictObject({
    every: intervalField('round', true)
      .prefault('1 round')
      .describe('When the server checkpoints its model: every N completed rounds ("5 rounds"), every duration ("10min"), "adaptive" (Young/Daly from the observed checkpoint cost and failures), or "never" (a restarted server starts from round 0). Default 1 round.'),
    ...adaptiveIntervalFields,
    tier: z
      .enum(TIER_NAMES)
      .default('node-local')
      .describe('Where checkpoints are written: node-local (the server\'s own node, lost with it when the medium is memory), or site-pfs, remote or log-topic (a store actor on `store`, reached over the network). Default node-local.'),
    'node-local': z.enum(['memory', 'disk']).default('disk').describe('The node-local medium: disk (fsynced; survives power loss) or memory (a RAM disk; lost with the node). Default disk.'),
    store: reference()
      .optional()
      .describe('Where the store of a site-pfs, remote or log-topic tier (or of `flush-to`) runs: a node name, or a site name meaning its first node. Required with those tiers; unused otherwise.'),
    'flush-to': z
      .enum(TIER_NAMES)
      .exclude(['node-local'])
      .optional()
      .describe('Multilevel: also copy every `flush-every`-th node-local checkpoint, asynchronously, to this tier (site-pfs, remote or log-topic; its store is `store`). Needs tier node-local. Default: no flush.'),
    'flush-every': count(1).default(5).describe('Multilevel: every this-many-th node-local checkpoint is flushed to `flush-to`. Default 5.'),
  })
  .describe('How the FedAvg server checkpoints its model and round (through the checkpoint layer). Default: every round, node-local disk.');

export type WrittenFederatedCheckpoint = z.output<typeof federatedCheckpointSchema>;
