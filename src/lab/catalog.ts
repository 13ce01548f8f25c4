/**
 * The scenarios the lab offers: the shipped drills and scenarios (src/scenario/catalog.ts, the
 * gallery's list too), and the file given on the command line first, each with its text and its
 * lesson in paragraphs.
 *
 * Guarantee: names are unique (a given file whose stem is taken gets a suffix) and listed in a
 * fixed order (the given one, drills, then scenarios, each by name). How it fails: a given file
 * that cannot be read is an `InputError` naming it; shipped files are read as they are.
 */
import { basename } from 'node:path';
import { descriptionOf, lessonParagraphs, shippedScenarios } from '../scenario/catalog.ts';
import { readScenarioText } from '../scenario/load.ts';

export interface CatalogEntry {
  /** What `#scenario=` names it by: the file's stem. */
  name: string;
  group: 'given' | 'drill' | 'scenario';
  /** The file as the user would name it to `diaspora run`. */
  file: string;
  /** The header comment, paragraphs separated by a blank line. */
  lesson: string;
  /** The scenario's `description:` line, if it has one. */
  description: string;
  text: string;
}

export function catalog(given?: string): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  const add = (group: CatalogEntry['group'], path: string, file: string) => {
    const text = readScenarioText(path);
    let name = basename(path).replace(/\.ya?ml$/, '');
    while (entries.some((e) => e.name === name)) name += '-given';
    entries.push({ name, group, file, lesson: lessonParagraphs(text).join('\n\n'), description: descriptionOf(text), text });
  };
  if (given !== undefined) add('given', given, given);
  for (const shipped of shippedScenarios()) add(shipped.group, shipped.path, shipped.file);
  return entries;
}
