/**
 * The nemesis: random faults, planned before the run from seeded streams of their own.
 *
 * Each entry of `nemesis.faults` names a fault kind and its failure units (nodes, sites, actors, a
 * link, a group to split). Every unit fails independently as a renewal process: after the quiet
 * period it runs for a time drawn from `mtbf`, fails, is repaired after a time drawn from `repair`,
 * runs again, and so on until the safety phase ends. Faults still active then are cut short, so the
 * liveness phase is always fault-free (Jepsen's final heal, VOPR's liveness mode). A failure that
 * would exceed `maxConcurrent` active faults is skipped; the unit's later failures stay as drawn.
 *
 * Guarantee — common random numbers: each unit draws from its own world stream
 * `nemesis:<kind>:<unit>`, and the plan is a pure function of the seed, the nemesis section and
 * the topology. Strategy, workload and protocol settings never enter it, so two strategies run on
 * one seed face exactly the same realised faults. The plan is also fixed before the run starts,
 * so the system's behaviour cannot steer it.
 *
 * How it fails: `InputError` when the rates would plan an absurd number of faults (a mistyped MTBF).
 */
import { InputError, type Micros, type Rng } from '../kernel/index.ts';
import type { World } from '../world/index.ts';
import { drawDuration } from './distributions.ts';
import { FaultState, effectOf } from './effects.ts';
import { shuffled, splitGroup } from './partition-shapes.ts';
import { INSTANT_KINDS, type FaultSpec, type FaultTemplate, type NemesisEntrySpec, type NemesisSpec, type RealisedFault } from './spec.ts';

/** More failures than this from one unit is a mistake in the rates, not a test. */
const MAX_FAILURES_PER_UNIT = 10_000;

export interface NemesisOptions {
  /** End of the safety phase: no fault starts at or after it, and every fault has ended by it. */
  safetyEndUs: Micros;
  /** The world's stream for a purpose (`world.rng`). */
  rng: (purpose: string) => Rng;
}

interface Candidate {
  readonly atUs: Micros;
  readonly endUs: Micros;
  readonly template: FaultTemplate;
  /** Tie-breakers: entry, then unit, in file order. */
  readonly entry: number;
  readonly unit: number;
}

export function planNemesis(nemesis: NemesisSpec, options: NemesisOptions): RealisedFault[] {
  const purposes = new Set<string>();
  const candidates: Candidate[] = [];
  nemesis.faults.forEach((entry, e) => {
    entry.units.forEach((unit, u) => {
      const purpose = uniquePurpose(`nemesis:${unit.kind}:${unitKey(unit, entry)}`, purposes);
      candidates.push(...unitFailures(entry, unit, options.rng(purpose), nemesis.quietUs, options.safetyEndUs).map((c) => ({ ...c, entry: e, unit: u })));
    });
  });
  candidates.sort((a, b) => a.atUs - b.atUs || a.entry - b.entry || a.unit - b.unit);
  return admit(candidates, nemesis.maxConcurrent).map((c, i) => realise(c, `nemesis-${i + 1}`));
}

/** One unit's failures as a renewal process: run, fail, repair, run … until the safety phase ends. */
function unitFailures(entry: NemesisEntrySpec, unit: FaultTemplate, rng: Rng, quietUs: Micros, safetyEndUs: Micros): Omit<Candidate, 'entry' | 'unit'>[] {
  const failures: Omit<Candidate, 'entry' | 'unit'>[] = [];
  const instant = INSTANT_KINDS.has(unit.kind);
  let t = quietUs;
  for (;;) {
    t += drawDuration(entry.mtbf, rng);
    if (t >= safetyEndUs) return failures;
    if (failures.length >= MAX_FAILURES_PER_UNIT) {
      throw new InputError(`nemesis: a ${unit.kind} unit would fail more than ${MAX_FAILURES_PER_UNIT} times; is its mtbf (${entry.mtbf.meanUs}us) too short?`);
    }
    const endUs = instant || entry.repair === undefined ? t : Math.min(t + drawDuration(entry.repair, rng), safetyEndUs);
    failures.push({ atUs: t, endUs, template: withSides(unit, entry, rng) });
    t = endUs;
  }
}

/** A partition over `among` gets fresh sides at each failure; any other unit is used as it is. */
function withSides(unit: FaultTemplate, entry: NemesisEntrySpec, rng: Rng): FaultTemplate {
  if (unit.kind !== 'partition' || entry.among === undefined || entry.shape === undefined) return unit;
  const sides = splitGroup(shuffled(entry.among, rng), entry.shape);
  return { ...unit, from: sides.from, to: sides.to, fromNodes: sides.from, toNodes: sides.to, shape: entry.shape };
}

/** Keeps the failures that fit under the cap on concurrent faults, in time order. */
function admit(candidates: readonly Candidate[], maxConcurrent: number): Candidate[] {
  const admitted: Candidate[] = [];
  let activeEnds: Micros[] = [];
  for (const c of candidates) {
    activeEnds = activeEnds.filter((end) => end > c.atUs);
    const instant = c.endUs === c.atUs;
    if (!instant && activeEnds.length >= maxConcurrent) continue;
    if (!instant) activeEnds.push(c.endUs);
    admitted.push(c);
  }
  return admitted;
}

function realise(c: Candidate, id: string): RealisedFault {
  // A crash repaired in 0 µs keeps its length, 0: written back as `for: 0s`, not as an entry without `for` (until the quiesce phase).
  const timing = INSTANT_KINDS.has(c.template.kind) ? { atUs: c.atUs, endUs: c.endUs } : { atUs: c.atUs, forUs: c.endUs - c.atUs, endUs: c.endUs };
  return { ...c.template, ...timing, id, source: 'nemesis' } as RealisedFault;
}

/** A readable, stable name for a unit's stream: what it targets. */
function unitKey(unit: FaultTemplate, entry: NemesisEntrySpec): string {
  if ('targets' in unit) return unit.targets.join(',');
  if ('target' in unit) return unit.target;
  if ('between' in unit) return unit.between.join('|');
  if (unit.kind === 'partition') return entry.among !== undefined ? entry.among.join(',') : `${unit.fromNodes.join(',')}>${unit.toNodes.join(',')}`;
  return unit.kind;
}

function uniquePurpose(purpose: string, taken: Set<string>): string {
  let candidate = purpose;
  for (let k = 2; taken.has(candidate); k++) candidate = `${purpose}#${k}`;
  taken.add(candidate);
  return candidate;
}

/**
 * Checks every failure unit against the world before the run, whether or not the seed makes it
 * fail: a unit that would affect nothing is an error in the scenario, not a lucky draw.
 */
export function checkNemesisUnits(world: World, nemesis: NemesisSpec): void {
  const state = new FaultState(world);
  nemesis.faults.forEach((entry, e) => {
    entry.units.forEach((unit) => {
      const where = `nemesis.faults[${e}]`;
      const template = entry.among !== undefined && entry.shape !== undefined ? withSides(unit, entry, fixedOrder) : unit;
      effectOf({ ...template, atUs: 0 } as FaultSpec, `check-${e}`, where, state);
    });
  });
}

/** A stand-in stream that always draws its lowest value: checking needs some split, not a random one. */
const fixedOrder = { int: (lo: number) => lo } as unknown as Rng;
