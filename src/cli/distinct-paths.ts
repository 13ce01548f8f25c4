/**
 * Refuses a command line that names one file or directory twice among several (`merge D D`,
 * `viz run run/trace.jsonl`): merging a slice with itself or stacking a run above itself does
 * nothing a user wants, and is almost always a typo for another name (`shard-0 shard-0` for
 * `shard-0 shard-1`), which would otherwise go unnoticed until a cell is reported missing or two
 * identical lanes are drawn.
 *
 * Two names are the same when they resolve to the same real path (`D`, `D/`, `./D`, a link to D).
 * A name that does not resolve is left to the command, which says it is missing.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../kernel/contract/index.ts';

/**
 * Throws an `InputError` for the first name that stands for the same thing as an earlier one.
 * `things[i]` is what `names[i]` stands for (a run directory's trace, say); `noun` says what each
 * is ("slice", "run").
 */
export function requireDistinct(command: string, noun: string, names: readonly string[], things: readonly string[] = names): void {
  const seen = new Map<string, string>();
  things.forEach((thing, i) => {
    const key = realPath(thing);
    const earlier = seen.get(key);
    const name = names[i]!;
    if (earlier === undefined) seen.set(key, name);
    else if (earlier === name) throw new InputError(`${command}: "${name}" is given twice; name each ${noun} once`);
    else throw new InputError(`${command}: "${earlier}" and "${name}" are the same ${noun}; name each ${noun} once`);
  });
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
