/**
 * Parses a scenario from its YAML text (plus `--set` overrides): a validated, resolved `Scenario`
 * out. Pure — no file is read — so the lab parses scenarios in the browser with the same schema and
 * the same messages as the CLI; load.ts adds files and plug-in modules around it.
 *
 * Guarantee: either a `Scenario` that satisfies every rule of `schema.ts`, or an `InputError`
 * whose message has one line per problem, each starting with where it is —
 * `scenarios/x.yaml:14 links[0].latency: expected a duration like "5ms", got "fast"`, or
 * `--set links[0].latency=fast links[0].latency: …` when an override caused it. File problems
 * come first, in line order, then `--set` problems in argument order.
 *
 * Failure: only `InputError` for anything the user wrote (YAML syntax, schema, references,
 * overrides); no zod or yaml text or stack reaches the user. Any other exception is a bug of ours
 * and propagates unchanged.
 */
import { type Document, LineCounter, type YAMLError, parseDocument } from 'yaml';
import { InputError } from '../kernel/contract/index.ts';
import { controlCharacterProblems } from './control-chars.ts';
import { type Problem, PARSE_OPTIONS, explainIssues } from './explain.ts';
import { applySets, blame, shownSet } from './overrides.ts';
import { formatPath } from './paths.ts';
import { isRecord } from './schema-walk.ts';
import { scenarioSchema } from './schema.ts';
import { pluginsLoaded } from './registry.ts';
import type { Scenario } from './types.ts';
import { describeInput } from './units.ts';
import { checkYamlDepth, SCENARIO_YAML, yamlData } from './yaml-guard.ts';
import { leadAsWritten, lineOf, writtenNumber, writtenScalar } from './yaml-locate.ts';
import { integerFormProblems } from './written-integers.ts';

/**
 * Where a scenario's plug-in modules are: the list as written in, absolute paths out (load.ts
 * resolves them from the file's folder). Without one, a scenario naming plug-ins is refused.
 */
export type PluginResolver = (list: readonly string[], file: string) => string[];

/**
 * @param text the YAML source
 * @param file how to name the file in messages (as the user gave it)
 * @param sets `path=value` overrides, applied in order before validation
 * @param resolvePlugins where `plugins:` entries are; omitted, a scenario with plug-ins is refused
 */
export function parseScenario(text: string, file: string, sets: readonly string[] = [], resolvePlugins?: PluginResolver): Scenario {
  checkYamlDepth(text, file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...SCENARIO_YAML, lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    // After the first syntax error the parser is lost: it reports every token after it. One error
    // per line is kept, and the CLI shows the first (`cascade`).
    const firsts = doc.errors.filter((error, i) => i === 0 || lineAt(lines, error.pos[0]) !== lineAt(lines, doc.errors[i - 1]!.pos[0]));
    const messages = firsts.map((error) => `${file}:${lineAt(lines, error.pos[0])} ${yamlMessage(error, text, lines)}`);
    throw new InputError([messages[0] + indentedStart(text, lineAt(lines, firsts[0]!.pos[0])), ...messages.slice(1)].join('\n'), { cascade: true });
  }
  const raw = yamlData(doc, lines, file);
  if (raw === null || raw === undefined) {
    throw new InputError(`${file}:1 the file is empty; a scenario needs at least name, duration and sites`);
  }
  if (!isRecord(raw)) {
    throw new InputError(`${file}:${lineOf(doc, lines, [])} a scenario is a map of fields (name, duration, sites, …), got ${describeInput(raw)}`);
  }

  const plugins = pluginList(raw, file, resolvePlugins, () => lineOf(doc, lines, ['plugins']));
  if (!pluginsLoaded(plugins)) {
    throw new InputError(`${file}:${lineOf(doc, lines, ['plugins'])} plugins: not loaded; load the scenario with loadScenarioAsync (the diaspora command does)`);
  }
  const { data, applied, problems: setProblems } = applySets(raw, sets, scenarioSchema());
  if (setProblems.length > 0) {
    throw new InputError(setProblems.map((p) => `--set ${shownSet(p.set)}${p.path.length > 0 ? ` ${formatPath(p.path)}` : ''}: ${p.message}`).join('\n'));
  }

  const place = (problems: readonly Problem[]) => {
    const located = problems.map((problem) => locate(problem, applied, doc, lines, file));
    // File lines in order, then --set lines; the sort is stable, so ties keep zod's order.
    located.sort((a, b) => a.order - b.order);
    return new InputError(dedupe(located.map((entry) => entry.line)).join('\n'));
  };
  const control = controlCharacterProblems(data);
  if (control.length > 0) throw place(control);

  const result = scenarioSchema().safeParse(data, PARSE_OPTIONS);
  if (!result.success) throw place(explainIssues(result.error.issues, scenarioSchema(), data));
  const forms = integerFormProblems(doc, applied, scenarioSchema(), data);
  if (forms.length > 0) throw place(forms);
  return plugins.length === 0 ? result.data : { ...result.data, plugins };
}


function locate(
  problem: Problem,
  applied: Parameters<typeof blame>[0],
  doc: Document,
  lines: LineCounter,
  file: string,
): { order: number; line: string } {
  const field = problem.path.length > 0 ? `${formatPath(problem.path)}: ` : '';
  const set = blame(applied, problem.path);
  // After every file line (line numbers stay far below this), in the order the sets were given.
  if (set !== undefined) {
    const value = parseDocument(set.text.slice(set.text.indexOf('=') + 1));
    const within = problem.path.slice(set.path.length);
    const message = leadAsWritten(asWritten(problem.message, writtenNumber(value, within)), writtenScalar(value, within));
    return { order: SET_ORDER + applied.indexOf(set), line: `--set ${shownSet(set.text)} ${field}${message}` };
  }
  const line = lineOf(doc, lines, problem.path, problem.isKey);
  const message = leadAsWritten(asWritten(problem.message, writtenNumber(doc, problem.path)), writtenScalar(doc, problem.path));
  return { order: line, line: `${file}:${line} ${field}${message}` };
}

/** `got Infinity` → `got 1e400`: the schema's messages quote the parsed number, the user wrote another text. */
function asWritten(message: string, number: { parsed: string; written: string } | undefined): string {
  if (number === undefined) return message;
  const parsed = number.parsed.replace(/[.+-]/g, (c) => `\\${c}`);
  return message.replace(new RegExp(`got ${parsed}(?![\\w.])`, 'g'), `got ${number.written}`);
}

const SET_ORDER = 2 ** 40;

function lineAt(lines: LineCounter, offset: number): number {
  return Math.max(1, lines.linePos(offset).line);
}

/**
 * A stray indent on the file's first line makes every top-level field after it "unexpected": the
 * error is reported there, far from its cause. Names the cause when that is what happened.
 */
function indentedStart(text: string, errorLine: number): string {
  const all = text.split('\n');
  const first = all.findIndex((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  const indent = (line: string) => line.length - line.trimStart().length;
  if (first === -1 || first + 1 >= errorLine || indent(all[first]!) === 0 || indent(all[errorLine - 1] ?? '') !== 0) return '';
  return `; line ${first + 1}, the first field, is indented by ${indent(all[first]!)} spaces and this one is not: top-level fields start in column 1`;
}

/** yaml's own messages embed source excerpts over several lines; ours are one sentence per code. */
function yamlMessage(error: YAMLError, text: string, lines: LineCounter): string {
  const column = `(column ${lines.linePos(error.pos[0]).col})`;
  const excerpt = JSON.stringify(text.slice(error.pos[0], Math.min(error.pos[1], error.pos[0] + 40)));
  // yaml's text is only inspected to choose ours, never shown.
  const unclosed = /^Flow (sequence|map)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'DUPLICATE_KEY': {
      const key = /^[^:\n]*/.exec(text.slice(error.pos[0]))![0].trim();
      return `YAML: the key ${JSON.stringify(key)} appears twice in the same map`;
    }
    case 'TAB_AS_INDENT':
      return `YAML: tabs cannot indent YAML; use spaces ${column}`;
    case 'BAD_INDENT':
      if (unclosed === 'sequence') return `YAML: a list opened with "[" is not closed with "]" before this line ${column}`;
      if (unclosed === 'map') return `YAML: a map opened with "{" is not closed with "}" before this line ${column}`;
      return `YAML: bad indentation; items of one map or list must start at the same column ${column}`;
    case 'MULTILINE_IMPLICIT_KEY':
    case 'BLOCK_AS_IMPLICIT_KEY':
      return `YAML: a key must fit on one line; is a ":" or a closing quote missing? ${column}`;
    case 'MISSING_CHAR':
      if (/quote/i.test(error.message)) return 'YAML: a quoted string is not closed (it runs to the end of the file)';
      if (/map values/.test(error.message)) return `YAML: a ":" is missing after the key ${column}`;
      return `YAML: a closing bracket, brace or quote is missing ${column}`;
    case 'MULTIPLE_DOCS':
      return 'YAML: a scenario file holds one document, but a second one starts here ("---")';
    case 'BAD_DQ_ESCAPE':
      return `YAML: unknown escape in a double-quoted string ${column}`;
    case 'BAD_SCALAR_START':
      return `YAML: a plain value cannot start with ${excerpt}; quote it ${column}`;
    case 'BAD_ALIAS':
      return `YAML: unknown or malformed alias ${excerpt} ${column}`;
    case 'UNEXPECTED_TOKEN':
      return `YAML: unexpected ${excerpt} ${column}`;
    case 'BLOCK_IN_FLOW':
      return `YAML: a "- item" or "key: value" line inside [ ] or { }; write the items inside the brackets, comma-separated, or drop the brackets ${column}`;
    case 'MULTIPLE_ANCHORS':
      return `YAML: a value can have one anchor (&name), this one has two ${column}`;
    case 'MULTIPLE_TAGS':
      return `YAML: a value can have one tag (!!type), this one has two ${column}`;
    case 'ALIAS_PROPS':
      return `YAML: an alias (*name) cannot carry an anchor or a tag ${column}`;
    case 'BAD_PROP_ORDER':
      return `YAML: an anchor (&name) or tag (!!type) goes before its value ${column}`;
    case 'KEY_OVER_1024_CHARS':
      return `YAML: a key longer than 1024 characters; is a ":" missing after a shorter key? ${column}`;
    case 'BAD_DIRECTIVE':
      return `YAML: a "%" directive this reader does not know; remove it ${column}`;
    default:
      return `YAML: syntax error (${error.code}) ${column}`;
  }
}

function dedupe(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/** The plug-in modules a scenario names, resolved; malformed lists are left to the schema, which places them. */
function pluginList(raw: Record<string, unknown>, file: string, resolve: PluginResolver | undefined, line: () => number): string[] {
  const list = raw.plugins;
  if (!Array.isArray(list) || !list.every((entry): entry is string => typeof entry === 'string' && entry.length > 0)) return [];
  if (list.length === 0) return [];
  if (resolve === undefined) throw new InputError(`${file}:${line()} plugins: plug-in modules cannot be loaded here (only the built-in features are available)`);
  return resolve(list, file);
}
