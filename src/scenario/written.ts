/**
 * A scenario as written — the YAML data after `--set` overrides, before validation — and how to
 * write one back as YAML. A run keeps it as `scenario.yaml`, so that `diaspora shrink` can emit a
 * minimal scenario in the user's own terms (every service kind, every unit as the user wrote it),
 * changing only its fault sections.
 *
 * Guarantee: for a file that `loadScenario` accepts with the same overrides, `writtenScenario`
 * returns the data that was validated, and `loadScenario(renderScenarioYaml(data))` gives the same
 * `Scenario`. Comments and anchors of the original file are not kept.
 */
import { Document, isMap, isScalar, parseDocument, visit } from 'yaml';
import { InputError } from '../kernel/contract/index.ts';
import { applySets } from './overrides.ts';
import { isRecord } from './schema-walk.ts';
import { scenarioSchema } from './schema.ts';
import { SCENARIO_YAML } from './yaml-guard.ts';

/**
 * The written data of a scenario's text with overrides applied; call after `loadScenario` accepted
 * the same text. The text, not the file: a file is read once (a pipe, `<(…)`, cannot be read twice).
 */
export function writtenScenario(text: string, path: string, sets: readonly string[] = []): Record<string, unknown> {
  const doc = parseDocument(text, SCENARIO_YAML);
  const { data, problems } = applySets(doc.toJS({ maxAliasCount: 100 }), sets, scenarioSchema());
  if (problems.length > 0 || !isRecord(data)) throw new InputError(`${path}: cannot be read back as written (load it first)`);
  return data;
}

/** YAML text for written scenario data, after an optional comment block (one `#` line per line). */
export function renderScenarioYaml(data: Record<string, unknown>, comment: readonly string[] = []): string {
  const header = comment.map((line) => (line === '' ? '#' : `# ${line}`)).join('\n');
  const doc = new Document(data);
  // One line per list item of maps (a fault, a link) and per list of names: as people write them.
  visit(doc, {
    Seq(_, seq) {
      if (seq.items.every((item) => isScalar(item))) seq.flow = true;
      else for (const item of seq.items) if (isMap(item) && item.items.every((pair) => !isMap(pair.value))) item.flow = true;
    },
  });
  const body = doc.toString({ lineWidth: 160, flowCollectionPadding: true });
  return header === '' ? body : `${header}\n${body}`;
}
