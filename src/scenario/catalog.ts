/**
 * The scenarios shipped with diaspora-sim — `scenarios/drills/*.yaml` and `scenarios/*.yaml` — and
 * what a scenario file teaches: its lesson, the header comment it opens with. One catalog for every
 * command that lists them (`diaspora gallery` runs them, `diaspora lab` offers them).
 *
 * Guarantee: a fixed order (drills, then scenarios, each by file name); names are file stems and
 * unique within a group. The lesson is read from the text alone: the `#` lines before the first
 * key, the editor's `yaml-language-server` line left out, paragraphs kept (a blank `#` line
 * separates them, the lines of one paragraph are joined); without a header comment, the
 * `description:` field. How it fails: a missing scenarios folder throws Node's error (an install
 * without its scenarios is broken).
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../package-layout.ts';

export interface ShippedScenario {
  /** The file's stem: what `#scenario=`, `--only` and the gallery name it by. */
  name: string;
  group: 'drill' | 'scenario';
  /** Absolute path. */
  path: string;
  /** The file as a user types it from the package root: `scenarios/drills/…yaml`. */
  file: string;
}

const ROOT = fileURLToPath(PACKAGE_ROOT);

export function shippedScenarios(): ShippedScenario[] {
  const list = (dir: string, group: ShippedScenario['group']) =>
    readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.yaml')).sort().map((f) => ({ name: basename(f, '.yaml'), group, path: join(ROOT, dir, f), file: `${dir}/${f}` }));
  return [...list('scenarios/drills', 'drill'), ...list('scenarios', 'scenario')];
}

/** The lesson as paragraphs of plain text (the lab shows them all). */
export function lessonParagraphs(text: string): string[] {
  const header: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const content = line.replace(/^#\s?/, '');
    if (/^yaml-language-server:/.test(content)) continue;
    header.push(content.trim());
  }
  const paragraphs = header.join('\n').split(/\n\s*\n/).map((p) => p.trim().split(/\s*\n\s*/).join(' ')).filter((p) => p !== '');
  if (paragraphs.length > 0) return paragraphs;
  const description = descriptionOf(text);
  return description === '' ? [] : [description];
}

/**
 * The lesson in one paragraph (a gallery card): the first, joined with the next when it is a
 * one-line title such as "Drill: …".
 */
export function lessonOf(text: string): string {
  const [first, second] = lessonParagraphs(text);
  if (first === undefined) return '';
  const title = second !== undefined && isTitle(text, first);
  return title ? `${first} ${second}` : first;
}

/** The `description:` field, unquoted, or empty. */
export function descriptionOf(text: string): string {
  return /^description:\s*(.+)$/m.exec(text)?.[1]?.trim().replace(/^['"]|['"]$/g, '') ?? '';
}

/** Whether a paragraph was written on one line of the header (a title). */
function isTitle(text: string, paragraph: string): boolean {
  return text.split('\n').some((line) => line.replace(/^#\s?/, '').trim() === paragraph);
}
