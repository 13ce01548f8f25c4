/**
 * Time spans drawn as bands: faults (from their `fault` start/end records at `world`) and the down
 * periods of actors (from `crash` to the next `restart`).
 *
 * Guarantee: a fault or crash with no end runs to the end of the run and is marked `open`; an end
 * with no start is ignored rather than guessed. Fault targets (and `from`/`to` of a partition) may
 * name sites, nodes or actors; each is resolved to the actors it covers.
 */
import { extraField, type RunData } from '../wire/codec.ts';
import { K } from './kinds.ts';

export interface FaultSpan {
  id: string;
  kind: string;
  start: number;
  end: number;
  open: boolean;
  targets: string[];
  from: string[];
  to: string[];
  /** Actor indexes covered by the targets (or by `from` and `to`). */
  actors: Set<number>;
  startRow: number;
}

export interface DownSpan {
  actor: number;
  start: number;
  end: number;
  open: boolean;
  crashRow: number;
  restartRow: number;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []);

/** Actor indexes per site, node and actor id. */
function placeIndex(run: RunData): Map<string, number[]> {
  const index = new Map<string, number[]>();
  const add = (key: string | undefined, actor: number) => {
    if (key === undefined) return;
    const list = index.get(key) ?? [];
    if (!list.includes(actor)) list.push(actor);
    index.set(key, list);
  };
  run.header.actors.forEach((info, actor) => {
    add(info.id, actor);
    add(info.node, actor);
    add(info.site, actor);
  });
  return index;
}

/**
 * @param rows the rows to look at, in order, if not all (the live timeline keeps the fault, crash
 * and restart rows it has seen)
 */
export function faultSpans(run: RunData, kind: Uint8Array, endUs: number, rows?: ArrayLike<number>): FaultSpan[] {
  const places = placeIndex(run);
  const open = new Map<string, FaultSpan>();
  const spans: FaultSpan[] = [];
  const count = rows?.length ?? run.length;
  for (let j = 0; j < count; j++) {
    const i = rows === undefined ? j : rows[j];
    if (kind[i] !== K.fault) continue;
    const id = String(extraField(run, i, 'fault') ?? `#${i}`);
    const phase = extraField(run, i, 'phase');
    if (phase === 'end') {
      const span = open.get(id);
      if (span === undefined) continue;
      span.end = run.t[i];
      span.open = false;
      open.delete(id);
      continue;
    }
    const targets = strings(extraField(run, i, 'targets'));
    const from = strings(extraField(run, i, 'from'));
    const to = strings(extraField(run, i, 'to'));
    const actors = new Set<number>();
    for (const name of [...targets, ...from, ...to]) for (const actor of places.get(name) ?? []) actors.add(actor);
    const span: FaultSpan = { id, kind: String(extraField(run, i, 'kind') ?? 'fault'), start: run.t[i], end: endUs, open: true, targets, from, to, actors, startRow: i };
    spans.push(span);
    if (phase === 'start') open.set(id, span);
    else {
      // A fault record without a phase is an instant (a one-off action), not a period.
      span.end = span.start;
      span.open = false;
    }
  }
  return spans;
}

/** @param rows as for `faultSpans` */
export function downSpans(run: RunData, kind: Uint8Array, endUs: number, rows?: ArrayLike<number>): DownSpan[] {
  const down = new Map<number, DownSpan>();
  const spans: DownSpan[] = [];
  const count = rows?.length ?? run.length;
  for (let j = 0; j < count; j++) {
    const i = rows === undefined ? j : rows[j];
    const k = kind[i];
    if (k === K.crash) {
      if (down.has(run.a[i])) continue;
      const span: DownSpan = { actor: run.a[i], start: run.t[i], end: endUs, open: true, crashRow: i, restartRow: -1 };
      down.set(run.a[i], span);
      spans.push(span);
    } else if (k === K.restart) {
      const span = down.get(run.a[i]);
      if (span === undefined) continue;
      span.end = run.t[i];
      span.open = false;
      span.restartRow = i;
      down.delete(run.a[i]);
    }
  }
  return spans;
}
