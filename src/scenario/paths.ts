/**
 * Field paths as users read and write them: `links[0].latency`, `sites.hpc.lan.bandwidth`.
 *
 * Guarantee: `parsePath(formatPath(p))` is `p` for any path of strings and non-negative safe integers.
 * A key that is not a plain identifier (`replication.factor`) is written quoted: `x["a.b"]`.
 * Failure: `parsePath` returns a message instead of a path (an index past 2^53 − 1 too, named as typed).
 */

export type Path = readonly (string | number)[];

/** Reports one problem at the path of the value at fault. */
export type Report = (path: Path, message: string) => void;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (typeof step === 'string' && PLAIN_KEY.test(step)) out += out === '' ? step : `.${step}`;
    else out += `[${JSON.stringify(String(step))}]`;
  }
  return out;
}

/** Reads `a.b[0]["c.d"]`; returns a message when the text is not a path. */
export function parsePath(text: string): Path | string {
  const path: (string | number)[] = [];
  const token = /\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  while (token.lastIndex < text.length) {
    const at = token.lastIndex;
    const m = token.exec(text);
    // A leading dot, or a key not preceded by a dot, is malformed (`.a`, `a[0]b`).
    if (m === null || (m[1] !== undefined && (at === 0) === text.startsWith('.', at))) {
      return `expected a field path like links[0].latency, got "${text}"`;
    }
    if (m[1] !== undefined) path.push(m[1]);
    else if (m[2] !== undefined) {
      // Named as typed: past 2^53 − 1 the number would be rounded (99999999999999999999 reads as 1e20).
      if (!Number.isSafeInteger(Number(m[2]))) return `the index [${m[2]}] is past any list (at most 2^53−1)`;
      path.push(Number(m[2]));
    }
    else path.push(JSON.parse(m[3]!) as string);
  }
  if (path.length === 0) return `expected a field path like links[0].latency, got "${text}"`;
  return path;
}

export function startsWith(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((step, i) => String(step) === String(path[i]));
}
