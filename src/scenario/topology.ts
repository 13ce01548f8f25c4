/**
 * Node names of a scenario's sites, shared by the cross-section checks and the resolution.
 *
 * Guarantee: a count `n` for site `s` names its nodes `s-1 … s-n`; a list is kept as written.
 * Order is site order (file order), then node order, so it can decide iteration downstream.
 */

/** Node names of one site, from its `nodes` field (a count or a list). */
export function nodeNames(site: string, nodes: number | readonly string[]): readonly string[] {
  return typeof nodes === 'number' ? Array.from({ length: nodes }, (_, i) => `${site}-${i + 1}`) : nodes;
}

/** The site of every node; the first site wins when a name is (wrongly) given twice. */
export function siteOfNode(sites: Readonly<Record<string, { readonly nodes: number | readonly string[] }>>): Map<string, string> {
  const owner = new Map<string, string>();
  for (const [site, spec] of Object.entries(sites)) {
    for (const node of nodeNames(site, spec.nodes)) if (!owner.has(node)) owner.set(node, site);
  }
  return owner;
}
