/**
 * Cross-section checks of `federated.checkpoint:`: a tier other than node-local (or a `flush-to`)
 * needs `store`, a store names a node or site, and a flush starts from node-local checkpoints. A store may be given with node-local (it is then not started), so
 * that `--set federated.checkpoint.tier=remote` alone switches a scenario to it.
 */
import type { Path } from '../../../scenario/paths.ts';
import type { Report } from '../../../scenario/feature.ts';
import type { WrittenFederatedCheckpoint } from './schema-checkpoint.ts';

export function checkFederatedCheckpoint(c: WrittenFederatedCheckpoint, known: (name: string) => string | undefined, report: Report): void {
  const path: Path = ['federated', 'checkpoint'];
  if (c.store !== undefined) {
    const problem = known(c.store);
    if (problem !== undefined) report([...path, 'store'], problem);
  } else if ((c.tier !== 'node-local' || c['flush-to'] !== undefined) && c.every.kind !== 'never') {
    report([...path, 'store'], `tier ${c['flush-to'] ?? c.tier} needs store, the node or site its checkpoint store runs on`);
  }
  if (c['flush-to'] !== undefined && c.tier !== 'node-local') {
    report([...path, 'flush-to'], `multilevel flushes node-local checkpoints to ${c['flush-to']}; with flush-to, tier must be node-local (got ${c.tier})`);
  }
}
