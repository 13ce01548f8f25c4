/**
 * Before a study runs any cell, every distinct scenario it runs (each grid point × variant) is
 * built once — a world, not a run — so that values the world cannot be built with (a quiesce too
 * short for the producers' retries, a name taken twice) are found in seconds, not after a
 * thousand cells each failed with the same message.
 *
 * Planning (sweep-plan.ts) already loaded each value once; what only building reveals can depend
 * on the combination, so every combination is built, in the study's own workers, with the
 * study's first seed. A failure is blamed on the axis value every one of whose combinations fails
 * (`--param quiesce=1s`, `variant coordinated`), otherwise on the combination itself; each message
 * is placed in the scenario file (file:line field). When the scenario fails without any variant
 * or value (its own `--set`s), that one message is given as `diaspora run` gives it.
 *
 * How it fails: a build that fails for one seed and not the first (a nemesis realised differently)
 * is not found here; its cells record the input error as before. A probe that fails with anything
 * but an input error is left to its cells, which report it with the command that reproduces it.
 */
import { InputError } from '../kernel/index.ts';
import { locateInFile } from '../scenario/index.ts';
import type { CellRunner } from './pool.ts';
import type { CellRun, CellTask } from './sweep-cell.ts';
import { BASE_VARIANT, cellsOf, type Study } from './sweep-plan.ts';

/** A scenario of the study that cannot be built: its overrides, how many cells run it, and why. */
export interface Unbuildable {
  variant: string;
  params: Record<string, string>;
  sets: readonly string[];
  cells: number;
  /** Placed in the scenario file. */
  message: string;
}

export interface BuildCheck {
  total: number;
  unbuildable: Unbuildable[];
  /** One line per blamed axis value or combination (or the scenario's own problem). */
  lines: string[];
}

/** Builds each distinct scenario of `study` once through `runner` (its workers, in parallel). */
export async function checkStudyBuilds(study: Study, runner: CellRunner): Promise<BuildCheck> {
  const cells = cellsOf(study.spec);
  const seed = study.spec.seeds[0]!;
  const combos = new Map<string, Unbuildable>();
  for (const cell of cells) {
    const key = JSON.stringify(cell.sets);
    const known = combos.get(key);
    if (known) known.cells++;
    else combos.set(key, { variant: cell.variant, params: cell.params, sets: cell.sets, cells: 1, message: '' });
  }
  const task = (sets: readonly string[]): CellTask => ({ scenarioText: study.scenarioText, file: study.file, sets, seed });
  const failures = await Promise.all(
    [...combos.values()].map(async (combo) => {
      const built = await runner.build(task(combo.sets));
      return built.ok || built.error.kind !== 'input' ? undefined : { ...combo, message: locateInFile(study.file, built.error.message, study.scenarioText) };
    }),
  );
  const unbuildable = failures.filter((f): f is Unbuildable => f !== undefined);
  if (unbuildable.length === 0) return { total: cells.length, unbuildable, lines: [] };
  return { total: cells.length, unbuildable, lines: await blame(study, [...combos.values()], unbuildable, runner, task) };
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
  return { status: 'error', error: { kind: 'input', message }, wallTimeMs: 0 };
}

/** Wraps `runner` so that cells of `unbuildable` scenarios come back at once as input errors, unrun. */
export function skipping(runner: CellRunner, unbuildable: readonly Unbuildable[]): CellRunner {
  const messages = new Map(unbuildable.map((u) => [JSON.stringify(u.sets), u.message]));
  return {
    ...runner,
    run: (task) => {
      const message = messages.get(JSON.stringify(task.sets));
      return message === undefined ? runner.run(task) : Promise.resolve(skippedRun(message));
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
  const failure = new Map(unbuildable.map((u) => [JSON.stringify(u.sets), u]));
  const failed = (combo: Unbuildable) => failure.get(JSON.stringify(combo.sets));
  if (unbuildable.length === combos.length) {
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
    lines.push(`cell "${point}": ${u.message}`);
  }
  return lines;
}

interface Axis {
  label: (value: string) => string;
  valueOf: (combo: Unbuildable) => string;
}
