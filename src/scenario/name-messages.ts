/**
 * Messages for a name that does not resolve to the site or node a field needs, shared by the
 * cross-section checks: a node given where a site is needed (and the reverse) is told so, anything
 * else gets "did you mean".
 */
import type { Path, Report } from './paths.ts';
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

/** Checks a `node:`/`site:` placement: exactly one given, and it names a node or a site. */
export function checkPlacement(spec: { readonly node?: string | undefined; readonly site?: string | undefined }, path: Path, names: Names, report: Report): void {
  if (spec.node !== undefined && spec.site !== undefined) {
    report([...path, 'site'], 'give either "node" or "site", not both');
  } else if (spec.node !== undefined) {
    if (!names.nodes.has(spec.node)) report([...path, 'node'], unknownNode(spec.node, names));
  } else if (spec.site !== undefined) {
    if (!names.sites.includes(spec.site)) report([...path, 'site'], unknownSite(spec.site, names));
  } else {
    report(path, 'needs "node" (a node name) or "site" (a site name, meaning its first node)');
  }
}
