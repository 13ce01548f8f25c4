/**
 * Before a study runs any cell, every distinct scenario it runs (each grid point × variant) is
 * built once — a world, not a run — so that values the world cannot be built with (a quiesce too
 * short for the producers' retries, a name taken twice) are found in seconds, not after a
 * thousand cells each failed with the same message.
 *
 * Planning (sweep-plan.ts) already loaded each value once; what only building reveals can depend
 * on the combination, so every combination is built, in the study's own workers, with the
 * study's first seed. A build can depend on the seed too (a nemesis plans its faults from it; a
 * feature may seed its own model with it): a build that read the seed (`CellBuild.seeded`, seen by
 * the world) is built again with every other seed of the study; one that did not is, provably,
 * the same for every seed — the seed reaches a build only through the world — and is built once.
 * A failure is blamed on the axis value every one of whose combinations fails for every seed
 * (`--param quiesce=1s`, `variant coordinated`), otherwise on the combination itself, and on the
 * seeds for which it fails when it builds with others; each message is placed in the scenario file
 * (file:line field). When the scenario fails without any variant or value (its own `--set`s),
 * that one message is given as `diaspora run` gives it.
 *
 * How it fails: a probe that fails with anything but an input error is left to its cells, which
 * report it with the command that reproduces it. What only running reveals (a fault-free reference
 * a feature reads while building is not measured here) is left to the cells too.
 */
import { InputError } from '../kernel/index.ts';
import { locateInFile } from '../scenario/index.ts';
import type { CellRunner } from './pool.ts';
import type { CellBuild, CellRun, CellTask } from './sweep-cell.ts';
import { BASE_VARIANT, cellsOf, type Study } from './sweep-plan.ts';

/** A scenario of the study that cannot be built: its overrides, how many cells run it, and why. */
export interface Unbuildable {
  variant: string;
  params: Record<string, string>;
  sets: readonly string[];
  cells: number;
  /** The seeds it cannot be built with, when it can with others; undefined: with none. */
  seeds?: readonly number[];
  /** Placed in the scenario file. */
  message: string;
}

export interface BuildCheck {
  total: number;
  /** What the cells that can be built will report (`CellBuild.reported`), each name once, in the order of the study's combinations. */
  reported: string[];
  unbuildable: Unbuildable[];
  /** One line per blamed axis value or combination (or the scenario's own problem). */
  lines: string[];
}

/** Builds each distinct scenario of `study` through `runner` (its workers, in parallel): once, or once per seed when its build reads the seed. */
export async function checkStudyBuilds(study: Study, runner: CellRunner): Promise<BuildCheck> {
  const cells = cellsOf(study.spec);
  const [first, ...others] = study.spec.seeds;
  const combos = new Map<string, Unbuildable>();
  for (const cell of cells) {
    const key = JSON.stringify(cell.sets);
    const known = combos.get(key);
    if (known) known.cells++;
    else combos.set(key, { variant: cell.variant, params: cell.params, sets: cell.sets, cells: 1, message: '' });
  }
  const task = (sets: readonly string[], seed = first!): CellTask => ({ scenarioText: study.scenarioText, file: study.file, sets, seed });
  // Each combination's first build, in the order of the combinations (not of their finishing).
  const firstBuilds: CellBuild[] = [];
  const failures = await Promise.all(
    [...combos.values()].map(async (combo, index) => {
      const built = await runner.build(task(combo.sets));
      firstBuilds[index] = built;
      const seeds = built.seeded ? [built, ...(await Promise.all(others.map((seed) => runner.build(task(combo.sets, seed)))))] : [built];
      const failing = seeds.flatMap((b, i) => (b.ok || b.error.kind !== 'input' ? [] : [{ seed: study.spec.seeds[i]!, message: b.error.message }]));
      if (failing.length === 0) return undefined;
      const message = locateInFile(study.file, failing[0]!.message, study.scenarioText);
      if (failing.length === study.spec.seeds.length || !built.seeded) return { ...combo, message };
      // Each seed's cells: the combination's cells are its seeds' cells, as many for each.
      const perSeed = combo.cells / study.spec.seeds.length;
      return { ...combo, cells: perSeed * failing.length, seeds: failing.map((f) => f.seed), message };
    }),
  );
  const unbuildable = failures.filter((f): f is Unbuildable => f !== undefined);
  const reported = [...new Set(firstBuilds.flatMap((built) => (built.ok ? built.reported : [])))];
  if (unbuildable.length === 0) return { total: cells.length, reported, unbuildable, lines: [] };
  return { total: cells.length, reported, unbuildable, lines: await blame(study, [...combos.values()], unbuildable, runner, task) };
}

/** The check's verdict as an `InputError` (all lines, the caller's summary first), or undefined when every cell can be built. */
export function unbuildableError(check: BuildCheck, skipFlag: string): InputError | undefined {
  if (check.unbuildable.length === 0) return undefined;
  const failing = check.unbuildable.reduce((sum, u) => sum + u.cells, 0);
  if (failing === check.total) return new InputError(check.lines.join('\n'));
  const head = `${failing} of ${check.total} cells cannot be built, so none was run (${skipFlag} runs the other ${check.total - failing}):`;
  return new InputError([head, ...check.lines].join('\n'));
}

/** A cell's run when its scenario was found unbuildable and the user asked to skip such cells. */
export function skippedRun(message: string): CellRun {
  return { status: 'error', error: { kind: 'input', message, skipped: true }, wallTimeMs: 0 };
}

/** Wraps `runner` so that cells of `unbuildable` scenarios (for their failing seeds) come back at once as input errors, unrun. */
export function skipping(runner: CellRunner, unbuildable: readonly Unbuildable[]): CellRunner {
  const failing = new Map(unbuildable.map((u) => [JSON.stringify(u.sets), u]));
  return {
    ...runner,
    run: (task) => {
      const u = failing.get(JSON.stringify(task.sets));
      const skipped = u !== undefined && (u.seeds === undefined || u.seeds.includes(task.seed));
      return skipped ? Promise.resolve(skippedRun(u.message)) : runner.run(task);
    },
  };
}

async function blame(
  study: Study,
  combos: readonly Unbuildable[],
  unbuildable: readonly Unbuildable[],
  runner: CellRunner,
  task: (sets: readonly string[]) => CellTask,
): Promise<string[]> {
  // An axis value or the scenario itself is to blame only for what fails with every seed.
  const failure = new Map(unbuildable.filter((u) => u.seeds === undefined).map((u) => [JSON.stringify(u.sets), u]));
  const failed = (combo: Unbuildable) => failure.get(JSON.stringify(combo.sets));
  if (failure.size === combos.length) {
    // Nothing the study varies is to blame when the scenario with its own --sets fails the same way.
    const base = await runner.build(task(study.spec.sets));
    if (!base.ok && base.error.kind === 'input') {
      const message = locateInFile(study.file, base.error.message, study.scenarioText);
      if (unbuildable.every((u) => u.message === message)) return [message];
    }
  }
  const axes: Axis[] = [
    ...study.spec.params.map((p) => ({ label: (value: string) => `--param ${p.path}=${value}`, valueOf: (combo: Unbuildable) => combo.params[p.path]! })),
    // The implicit variant of a study without variants is nothing the user chose.
    ...(study.spec.variants.length === 1 && study.spec.variants[0]!.name === BASE_VARIANT ? [] : [{ label: (value: string) => `variant ${value}`, valueOf: (combo: Unbuildable) => combo.variant }]),
  ];
  const lines: string[] = [];
  const explained = new Set<string>();
  // Axes with several values first: one value failing where the others build is the clearest cause.
  // An axis with one value is blamed only for what the varied axes leave unexplained.
  const varied = (axis: Axis) => new Set(combos.map(axis.valueOf)).size > 1;
  for (const axis of [...axes.filter(varied), ...axes.filter((axis) => !varied(axis))]) {
    const values = new Map<string, Unbuildable[]>();
    for (const combo of combos) values.set(axis.valueOf(combo), [...(values.get(axis.valueOf(combo)) ?? []), combo]);
    for (const [value, withIt] of values) {
      const failures = withIt.map(failed);
      if (!failures.every((f) => f !== undefined) || failures.every((f) => explained.has(JSON.stringify(f.sets)))) continue;
      lines.push(`${axis.label(value)}: ${failures[0]!.message}`);
      for (const f of failures) explained.add(JSON.stringify(f.sets));
    }
  }
  for (const u of unbuildable) {
    if (explained.has(JSON.stringify(u.sets))) continue;
    const point = [u.variant, ...Object.entries(u.params).map(([path, text]) => `${path}=${text}`)].join(' ');
    const seeds = u.seeds === undefined ? '' : ` with seed${u.seeds.length > 1 ? 's' : ''} ${u.seeds.join(', ')}`;
    lines.push(`cell "${point}"${seeds}: ${u.message}`);
  }
  return lines;
}

interface Axis {
  label: (value: string) => string;
  valueOf: (combo: Unbuildable) => string;
}
