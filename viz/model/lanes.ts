/**
 * Lanes of the time-space diagram: one per actor, grouped by site and then node, in the order the
 * scenario declared them (the trace's `meta`), with actors the meta does not list appended.
 *
 * Guarantee: every actor with at least one drawn record gets a lane, listed or not, so nothing in
 * the trace is left without a place; actors only named as message targets get none.
 */
import type { ActorInfo, PayloadHeader } from '../wire/wire.ts';

export interface Lane {
  actor: number;
  id: string;
  node: string;
  site: string;
}

export interface SiteGroup {
  id: string;
  role: string;
  lanes: Lane[];
}

const UNPLACED = '(unplaced)';

interface SiteMeta {
  id: string;
  role?: string;
  nodes?: string[];
}

function declaredSites(meta: PayloadHeader['meta']): SiteMeta[] {
  const sites = meta !== null && Array.isArray(meta.sites) ? meta.sites : [];
  return sites.filter((s): s is SiteMeta => typeof s === 'object' && s !== null && typeof (s as SiteMeta).id === 'string');
}

/**
 * @param wanted per actor index: whether it gets a lane (it is listed in meta, or it has records
 *   drawn on a lane).
 */
export function layoutLanes(header: PayloadHeader, wanted: (actor: number) => boolean): { lanes: Lane[]; groups: SiteGroup[] } {
  const sites = declaredSites(header.meta);
  const siteRank = new Map(sites.map((s, i) => [s.id, i]));
  const nodeRank = new Map<string, number>();
  for (const site of sites) (site.nodes ?? []).forEach((node, i) => nodeRank.set(`${site.id}/${node}`, i));
  const lanes: Array<Lane & { order: number }> = [];
  header.actors.forEach((info: ActorInfo, actor) => {
    if (!wanted(actor)) return;
    lanes.push({ actor, id: info.id, node: info.node ?? '', site: info.site ?? UNPLACED, order: actor });
  });
  const rank = (map: Map<string, number>, key: string) => map.get(key) ?? Number.MAX_SAFE_INTEGER;
  const text = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  lanes.sort(
    (x, y) =>
      Number(x.site === UNPLACED) - Number(y.site === UNPLACED) ||
      rank(siteRank, x.site) - rank(siteRank, y.site) ||
      text(x.site, y.site) ||
      rank(nodeRank, `${x.site}/${x.node}`) - rank(nodeRank, `${y.site}/${y.node}`) ||
      text(x.node, y.node) ||
      x.order - y.order,
  );
  const groups: SiteGroup[] = [];
  for (const { order: _order, ...lane } of lanes) {
    let group = groups[groups.length - 1];
    if (group === undefined || group.id !== lane.site) {
      const role = sites.find((s) => s.id === lane.site)?.role ?? '';
      group = { id: lane.site, role, lanes: [] };
      groups.push(group);
    }
    group.lanes.push(lane);
  }
  return { lanes: groups.flatMap((g) => g.lanes), groups };
}
