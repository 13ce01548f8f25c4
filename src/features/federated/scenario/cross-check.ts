/**
 * Cross-section checks of `federated:`: the server and every site name a node or a site, no site
 * is listed twice or shares the server's node, `all of role` finds at least one site, and the
 * policy's parameter is given (k within the number of sites); the server's checkpoint store is
 * checked by cross-check-federated-checkpoint.ts.
 */
import type { Path } from '../../../scenario/paths.ts';
import type { ScenarioFields } from '../../../scenario/written-types.ts';
import type { Names } from '../../../scenario/name-messages.ts';
import type { Report } from '../../../scenario/feature.ts';
import { checkFederatedCheckpoint } from './cross-check-checkpoint.ts';
import { federatedSiteNames } from './resolve.ts';
import { nodeNames } from '../../../scenario/topology.ts';

export function checkFederated(s: ScenarioFields, names: Names, report: Report): void {
  const f = s.federated;
  if (f === undefined) return;
  const path: Path = ['federated'];
  const nodeOf = (name: string): string | undefined => {
    if (names.nodes.has(name)) return name;
    const site = s.sites[name];
    if (site === undefined) return undefined;
    return nodeNames(name, site.nodes)[0];
  };
  const known = [...names.sites, ...names.nodes.keys()];
  const unknown = (name: string) => `"${name}" is neither a node nor a site; known: ${known.join(', ')}`;
  const serverNode = nodeOf(f.server);
  if (serverNode === undefined) report([...path, 'server'], unknown(f.server));
  const roles = Object.entries(s.sites).map(([name, site]) => ({ name, role: site.role }));
  const participants = federatedSiteNames(f.sites, roles);
  if (participants.length === 0) report([...path, 'sites'], `no site has the role named in "${String(f.sites)}"`);
  const seen = new Set<string>();
  participants.forEach((name, i) => {
    const at: Path = Array.isArray(f.sites) ? [...path, 'sites', i] : [...path, 'sites'];
    const node = nodeOf(name);
    if (node === undefined) return report(at, unknown(name));
    if (seen.has(node)) report(at, `"${name}" runs on node ${node}, which already has a site of this federation`);
    if (node === serverNode) report(at, `"${name}" runs on the server's node ${node}; place sites elsewhere`);
    seen.add(node);
  });
  if (f.policy === 'k-of-n') {
    if (f.k === undefined) report([...path, 'k'], 'policy k-of-n needs k, the number of updates that end a round');
    else if (f.k > participants.length) report([...path, 'k'], `k is ${f.k} but the federation has ${participants.length} sites`);
  }
  checkFederatedCheckpoint(f.checkpoint, (name) => (nodeOf(name) === undefined ? unknown(name) : undefined), report);
  if (f.policy === 'deadline' && f.deadline === undefined) report([...path, 'deadline'], 'policy deadline needs deadline, the length of a round (e.g. 90s)');
}
