/**
 * "Did you mean": the closest allowed word to a misspelt one.
 *
 * Guarantee: deterministic (ties go to the candidate that sorts first), and silent when nothing is
 * close — a wrong suggestion is worse than none, so the distance allowed grows slowly with length.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `word`, if one is close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of [...candidates].sort()) {
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase());
    const allowed = Math.max(1, Math.floor(Math.max(word.length, candidate.length) / 3));
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

const LIST_MAX = 12;

/**
 * `; did you mean "latency"?` when a candidate is close, else `; expected one of: a, b` (or the
 * `none` text when there are no candidates at all). `label` introduces the list.
 */
export function suggestion(word: string, candidates: readonly string[], none = '', label = 'expected one of'): string {
  const near = closest(word, candidates);
  if (near !== undefined) return `; did you mean "${near}"?`;
  if (candidates.length === 0) return none;
  // A scenario with hundreds of nodes would otherwise print them all on one line.
  const shown = candidates.slice(0, LIST_MAX).join(', ');
  const more = candidates.length > LIST_MAX ? `, … (${candidates.length - LIST_MAX} more)` : '';
  return `; ${label}: ${shown}${more}`;
}

/**
 * `replication: { factor: 3 }` or `--set s.replication.factor=3` where `replication.factor` is one
 * key: Kafka's property names hold dots, which YAML nesting and a --set path both split at.
 */
export function dottedNameHint(name: string, path: string, value: string): string {
  return `; did you mean "${name}"? Its dots are part of the name: ${name}: ${value} in the file, ${path}=${value} in --set`;
}
