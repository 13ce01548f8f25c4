/**
 * Control characters in a scenario's strings — names, keys, descriptions: a NUL, an escape, a
 * backspace pasted from a terminal. They print as nothing or move the cursor, so a name with one
 * looks like another name; they are refused, each at its field with its position in the string.
 *
 * Guarantee: one problem per string holding C0 controls other than tab and newline, DEL, or C1
 * controls (U+0080–U+009F), naming the first such character by code point and its 1-based position.
 */
import type { Problem } from './explain.ts';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

export function controlCharacterProblems(data: unknown, path: readonly PropertyKey[] = []): Problem[] {
  if (typeof data === 'string') {
    const problem = describe(data, 'the value');
    return problem === undefined ? [] : [{ path, message: problem }];
  }
  if (Array.isArray(data)) return data.flatMap((item, i) => controlCharacterProblems(item, [...path, i]));
  if (typeof data !== 'object' || data === null) return [];
  return Object.entries(data).flatMap(([key, value]) => {
    const problem = describe(key, 'the key');
    return [...(problem === undefined ? [] : [{ path: [...path, key], message: problem, isKey: true }]), ...controlCharacterProblems(value, [...path, key])];
  });
}

function describe(text: string, what: string): string | undefined {
  const match = CONTROL.exec(text);
  if (match === null) return undefined;
  const code = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  // JSON quoting shows the character as an escape (\u0000) instead of printing it.
  const shown = text.length > 60 ? `${JSON.stringify(text.slice(0, 60))}…` : JSON.stringify(text);
  return `${what} ${shown} holds the control character U+${code} at character ${match.index + 1}; remove it`;
}
