/**
 * The replication view of each partition of a replicated log, derived from `log` records: who
 * leads in which epoch, each replica's log end and the partition's high watermark as step series,
 * the in-sync replica set over time, the elections, and the offsets a leader change threw away
 * (what an `acks=1` loss is: offsets only the old leader had, truncated when it came back).
 *
 * Where each value comes from: a replica's log end from its `append`/`replicate` (batch base plus
 * its events), `truncate` (the new end), and `recover`/`leader`/`follower` (their `offset`); the
 * high watermark from the current leader's `hw` records (and the `hw` field it reports when it
 * becomes leader); leaders, epochs and the ISR from the controller's `elect`, `isr-shrink` and
 * `isr-expand`.
 *
 * Guarantee: a pure function of the trace; series are in time order, one point per change.
 * How it fails: a partition without controller records still gets its replicas' lines, but no
 * leader band or ISR rows; records without topic/partition fields are ignored.
 */
import { extraField, type RunData } from '../wire/codec.ts';
import { K } from './kinds.ts';

export interface StepSeries {
  t: number[];
  v: number[];
}

export interface ReplicaView {
  actor: number;
  id: string;
  end: StepSeries;
}

export interface Election {
  t: number;
  row: number;
  epoch: number;
  leader: string | null;
  isr: string[];
  reason: string;
  clean: boolean;
}

export interface IsrChange {
  t: number;
  row: number;
  isr: string[];
  reason: string;
}

/** Offsets [from, to) that the old leader had and the new one did not, at an election. */
export interface LostRange {
  election: number;
  oldLeader: string;
  newLeader: string;
  from: number;
  to: number;
  /** When the old leader truncated them away (its `truncate` record), or null if it never did. */
  truncatedAt: number | null;
  truncateRow: number;
}

export interface PartitionView {
  topic: string;
  partition: number;
  key: string;
  replicas: ReplicaView[];
  hw: StepSeries;
  elections: Election[];
  isr: IsrChange[];
  lost: LostRange[];
  maxOffset: number;
}

const push = (s: StepSeries, t: number, v: number) => {
  const n = s.t.length;
  if (n > 0 && s.v[n - 1] === v) return;
  if (n > 0 && s.t[n - 1] === t) {
    s.v[n - 1] = v;
    return;
  }
  s.t.push(t);
  s.v.push(v);
};
const last = (s: StepSeries) => (s.v.length === 0 ? 0 : s.v[s.v.length - 1]);
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function deriveReplication(data: RunData, kind: Uint8Array): PartitionView[] {
  const table = data.header.strings;
  const ids = data.header.actors.map((a) => a.id);
  const views = new Map<string, PartitionView & { leader: string | null; replicaOf: Map<number, ReplicaView> }>();
  const view = (topic: string, partition: number) => {
    const key = `${topic}/${partition}`;
    let v = views.get(key);
    if (v === undefined) {
      v = { topic, partition, key, replicas: [], hw: { t: [], v: [] }, elections: [], isr: [], lost: [], maxOffset: 0, leader: null, replicaOf: new Map() };
      views.set(key, v);
    }
    return v;
  };
  const replica = (v: PartitionView & { replicaOf: Map<number, ReplicaView> }, actor: number) => {
    let r = v.replicaOf.get(actor);
    if (r === undefined) {
      r = { actor, id: ids[actor], end: { t: [], v: [] } };
      v.replicaOf.set(actor, r);
      v.replicas.push(r);
    }
    return r;
  };
  for (let i = 0; i < data.length; i++) {
    if (kind[i] !== K.log || data.op[i] < 0) continue;
    const topic = extraField(data, i, 'topic');
    const partition = extraField(data, i, 'partition');
    if (typeof topic !== 'string' || typeof partition !== 'number') continue;
    const op = table[data.op[i]];
    const t = data.t[i];
    const v = view(topic, partition);
    const offset = extraField(data, i, 'offset');
    const off = typeof offset === 'number' ? offset : NaN;
    if (op === 'elect' || op === 'offline') {
      const leader = extraField(data, i, 'leader');
      const next = typeof leader === 'string' ? leader : null;
      const epoch = Number(extraField(data, i, 'epoch') ?? 0);
      const election: Election = { t, row: i, epoch, leader: next, isr: strings(extraField(data, i, 'isr')), reason: str(extraField(data, i, 'reason')), clean: extraField(data, i, 'clean') !== false };
      v.elections.push(election);
      v.isr.push({ t, row: i, isr: election.isr, reason: election.reason });
      const old = v.leader;
      v.leader = next;
      if (old !== null && next !== null && old !== next) lostAtElection(v, election, old, next, ids);
      continue;
    }
    if (op === 'isr-shrink' || op === 'isr-expand') {
      v.isr.push({ t, row: i, isr: strings(extraField(data, i, 'isr')), reason: str(extraField(data, i, 'reason')) });
      continue;
    }
    const actor = data.a[i];
    const r = replica(v, actor);
    if (op === 'append' || op === 'replicate') {
      const events = extraField(data, i, 'events');
      push(r.end, t, off + (Array.isArray(events) ? events.length : 1));
    } else if (op === 'truncate' || op === 'recover' || op === 'leader' || op === 'follower') {
      if (!Number.isNaN(off)) push(r.end, t, off);
      if (op === 'truncate') {
        const range = v.lost.find((l) => l.oldLeader === ids[actor] && l.truncatedAt === null);
        if (range !== undefined) {
          range.truncatedAt = t;
          range.truncateRow = i;
        }
      }
      const hw = extraField(data, i, 'hw');
      if (op === 'leader' && typeof hw === 'number') push(v.hw, t, hw);
    } else if (op === 'hw' && ids[actor] === v.leader) {
      push(v.hw, t, off);
    }
    if (!Number.isNaN(off)) v.maxOffset = Math.max(v.maxOffset, last(r.end));
  }
  return [...views.values()].map(({ leader: _leader, replicaOf: _replicaOf, ...rest }) => {
    rest.replicas.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    return rest;
  });
}

/** At a leader change: the offsets the old leader had beyond the new leader's log end. */
function lostAtElection(v: PartitionView & { replicaOf: Map<number, ReplicaView> }, election: Election, old: string, next: string, ids: string[]): void {
  const endOf = (id: string) => {
    const r = [...v.replicaOf.values()].find((x) => x.id === id);
    return r === undefined ? 0 : last(r.end);
  };
  const oldEnd = endOf(old);
  const newEnd = endOf(next);
  if (oldEnd > newEnd && ids.includes(old)) {
    v.lost.push({ election: election.t, oldLeader: old, newLeader: next, from: newEnd, to: oldEnd, truncatedAt: null, truncateRow: -1 });
  }
}

/** The value of a step series at time t (its last point at or before t), or null before the first. */
export function stepAt(s: StepSeries, t: number): number | null {
  let lo = 0;
  let hi = s.t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.t[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : s.v[lo - 1];
}

/** Whether a partition's view says more than its replicas' lines: a leader change, a truncation or an ISR change. */
export function eventful(p: PartitionView): boolean {
  return p.replicas.length > 1 && (p.elections.length > 1 || p.lost.length > 0 || p.isr.length > p.elections.length);
}
