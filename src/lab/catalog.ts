/**
 * The scenarios the lab offers: the shipped drills and scenarios (`scenarios/drills/*.yaml`,
 * `scenarios/*.yaml`), and the file given on the command line first, each with its text and its
 * lesson — the header comment a scenario file opens with, where the drills explain what to watch.
 *
 * Guarantee: names are unique (a given file whose stem is taken gets a suffix) and listed in a
 * fixed order (the given one, drills, then scenarios, each by name). How it fails: a given file
 * that cannot be read is an `InputError` naming it; shipped files are read as they are.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { besideSource } from '../package-layout.ts';
import { readScenarioText } from '../scenario/load.ts';

export interface CatalogEntry {
  /** What `#scenario=` names it by: the file's stem. */
  name: string;
  group: 'given' | 'drill' | 'scenario';
  /** The file as the user would name it to `diaspora run`. */
  file: string;
  /** The header comment, without `#` and the schema line, paragraphs kept. */
  lesson: string;
  /** The scenario's `description:` line, if it has one. */
  description: string;
  text: string;
}

const SCENARIOS = fileURLToPath(besideSource('../../scenarios/', import.meta.url));

export function catalog(given?: string): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  const add = (group: CatalogEntry['group'], path: string, file: string) => {
    const text = readScenarioText(path);
    let name = basename(path).replace(/\.ya?ml$/, '');
    while (entries.some((e) => e.name === name)) name += '-given';
    entries.push({ name, group, file, lesson: lessonOf(text), description: descriptionOf(text), text });
  };
  if (given !== undefined) add('given', given, given);
  for (const [group, folder, shown] of [['drill', join(SCENARIOS, 'drills'), 'scenarios/drills'], ['scenario', SCENARIOS, 'scenarios']] as const) {
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.yaml')).sort()) add(group, join(folder, file), `${shown}/${file}`);
  }
  return entries;
}

/** The comment block a scenario file opens with, as paragraphs of plain text. */
export function lessonOf(text: string): string {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const body = line.replace(/^#\s?/, '');
    if (body.startsWith('yaml-language-server:')) continue;
    lines.push(body);
  }
  return lines.join('\n').replace(/^\s+|\s+$/g, '').replace(/([^\n])\n(?!\n)/g, '$1 ');
}

function descriptionOf(text: string): string {
  return /^description:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? '';
}
