/**
 * What fault targets may name of a pipeline's processes: an operator stands for its instances
 * (`targets: [recon]`: recon-1, recon-2 …), each instance by its actor id, the checkpoint
 * coordinator (strategies that have one) and the stores of the configured tiers.
 *
 * Guarantee: the ids are the ones `build.ts` spawns (`instanceName`, the default coordinator id,
 * `storeId`), computed from fields that passed the schema. The one-broker logs of streams placed on
 * nodes are not listed: they are their node's, and a fault on the node reaches them.
 */
import type { ActorGroup } from '../../../scenario/feature.ts';
import { nodeNames } from '../../../scenario/topology.ts';
import type { ScenarioFields } from '../../../scenario/written-types.ts';
import type { TierName } from '../../checkpoint/actors/index.ts';
import { DEFAULT_CHECKPOINT, strategyInfo } from '../../checkpoint/index.ts';
import { instanceName } from '../actors/topology.ts';

export function pipelineActorNames(s: ScenarioFields): (string | ActorGroup)[] {
  if (s.pipeline === undefined) return [];
  const operators = Object.entries(s.pipeline.operators).map(([name, op]) =>
    op.parallelism === 1 ? name : { name, actors: Array.from({ length: op.parallelism }, (_, i) => instanceName({ name, parallelism: op.parallelism }, i)) },
  );
  const checkpoint = s.checkpoint;
  const coordinator = strategyInfo({ strategy: checkpoint?.strategy ?? 'none', alignment: checkpoint?.alignment ?? 'aligned' }).coordinator ? [DEFAULT_CHECKPOINT.coordinator] : [];
  const firstNode = (site: string) => nodeNames(site, s.sites[site]!.nodes)[0]!;
  const stores = Object.entries(checkpoint?.tiers ?? {}).flatMap(([tier, placed]) => {
    if (placed === undefined || tier === 'log-topic' || tier === 'node-local') return [];
    const { node, nodes, site } = placed as { node?: string; nodes?: string[]; site?: string };
    const on = node !== undefined ? [node] : nodes !== undefined ? nodes : [firstNode(site!)];
    return on.map((n) => storeId(tier as TierName, n));
  });
  return [...operators, ...coordinator, ...stores];
}

/** The actor id of a checkpoint store of `tier` on `node`. */
export function storeId(tier: TierName, node: string): string {
  return `${tier}@${node}`;
}
