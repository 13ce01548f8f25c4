/**
 * Messages for a name that does not resolve to the site or node a field needs, shared by the
 * cross-section checks: a node given where a site is needed (and the reverse) is told so, anything
 * else gets "did you mean".
 */
import { suggestion } from './suggest.ts';

export interface Names {
  readonly sites: readonly string[];
  /** node → its site */
  readonly nodes: ReadonlyMap<string, string>;
}

export function unknownSite(site: string, names: Names): string {
  if (names.nodes.has(site)) return `"${site}" is a node, not a site (it belongs to site "${names.nodes.get(site)}")`;
  return `unknown site "${site}"${suggestion(site, names.sites)}`;
}

export function unknownNode(node: string, names: Names): string {
  if (names.sites.includes(node)) {
    const first = [...names.nodes].find(([, site]) => site === node)?.[0];
    return `"${node}" is a site, not a node; name one of its nodes, such as "${first}"`;
  }
  return `unknown node "${node}"${suggestion(node, [...names.nodes.keys()])}`;
}
