/**
 * The YAML shapes a scenario can never need, refused before or right after the parser sees them:
 * nesting hundreds of levels deep, an alias inside its own anchor (`a: &a [*a]`, a cycle), a map
 * key that is itself a list or map, a key `__proto__`, aliases that are unknown or expand to too
 * much (billion laughs), and tags beyond YAML's core ones: the parser turns `!!binary`,
 * `!!timestamp`, `!!set`, `!!omap` into bytes, dates, sets and maps no field takes (told as "a map"
 * or, at the top, as a hundred unknown fields "0", "1", …), and drops an unknown `!tag` silently.
 *
 * Why before the parser: yaml parses nested collections by recursion. Deep enough, it runs out of
 * stack — usually caught and reported as RESOURCE_EXHAUSTION, but when the stack runs out while
 * V8 compiles a regular expression the process dies at once (a fatal "out of memory", exit 134),
 * which no `catch` can turn into a message. So the depth is measured on the text first.
 *
 * Guarantee: `checkYamlDepth` refuses any text nested more than `MAX_YAML_DEPTH` levels, counting
 * block indentation, leading `- ` items and open `[`/`{` (outside quotes, comments and block scalars; a
 * rough count that only ever over-counts by a level or two). `yamlData` returns plain data without
 * cycles, keys that are strings, no `__proto__` key, and no value of a type JSON lacks. How it fails: an `InputError` of one line
 * per problem, `file:line YAML: …`, exit code 2 — never a stack, a crash or a warning on stderr.
 */
import { type Document, isAlias, isCollection, isMap, isScalar, isSeq, type LineCounter, visit, type Node } from 'yaml';
import { InputError } from '../kernel/contract/index.ts';

/**
 * How every scenario text is parsed: YAML 1.2, plus the `<<: *defaults` merge keys of YAML 1.1 that
 * users copy from Compose and CI files (without them `<<` would be an unknown field named "<<").
 */
export const SCENARIO_YAML = { merge: true, uniqueKeys: true } as const;

/** Far beyond any scenario (the deepest shipped one nests 6 levels), far below the parser's stack. */
export const MAX_YAML_DEPTH = 100;

/** Refuses text nested deeper than {@link MAX_YAML_DEPTH}; `where` names the file in the message. */
export function checkYamlDepth(text: string, where: string): void {
  const deep = deepestLine(text);
  if (deep !== undefined) {
    throw new InputError(`${where}:${deep} YAML: nested more than ${MAX_YAML_DEPTH} levels deep here; a scenario needs a handful`);
  }
}

/** The first line at which the nesting passes the limit, or undefined. */
function deepestLine(text: string): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let blockScalarIndent: number | undefined;
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    const indent = raw.length - raw.trimStart().length;
    if (blockScalarIndent !== undefined) {
      // The lines of a `|` or `>` block are text, whatever they hold.
      if (raw.trim() === '' || indent > blockScalarIndent) continue;
      blockScalarIndent = undefined;
    }
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    if (flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
    }
    // Leading `- - x` items nest one level each.
    let depth = indents.length + flow + (/^(?:-[ \t]+)*/.exec(raw.slice(indent))![0].match(/-/g)?.length ?? 0);
    let quote: string | undefined;
    for (let i = indent; i < raw.length; i++) {
      const c = raw[i]!;
      if (quote !== undefined) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) quote = undefined;
        continue;
      }
      if (c === '"' || c === "'") quote = c;
      else if (c === '#' && (i === 0 || /\s/.test(raw[i - 1]!))) break;
      else if (c === '[' || c === '{') flow++;
      else if (c === ']' || c === '}') flow = Math.max(0, flow - 1);
      depth = Math.max(depth, indents.length + flow);
      if (depth > MAX_YAML_DEPTH) return line;
    }
    if (flow === 0 && /[:-]\s*[|>][-+0-9]*\s*(#.*)?$/.test(raw)) blockScalarIndent = indent;
  }
  return undefined;
}

// With `merge`, yaml reads a plain `<<` key as a symbol (a quoted "<<" stays a string key).
const isMergeKey = (key: unknown): boolean => isScalar(key) && typeof key.value === 'symbol';

/** Whether a `<<` value is a map, an alias of one, or a list of those: what YAML merges. */
function mergesMaps(doc: Document, value: unknown): boolean {
  const map = (node: unknown) => isMap(isAlias(node) ? node.resolve(doc) : node);
  return map(value) || (isSeq(value) && value.items.every(map));
}

const YAML_TAG = 'tag:yaml.org,2002:';
/** The tags of YAML's core schema: a value they mark is still a string, number, boolean, null, list or map. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((name) => YAML_TAG + name));

/** What is wrong with a value's explicit tag, if anything. */
export function tagProblem(tag: string | undefined): string | undefined {
  if (tag === undefined || CORE_TAGS.has(tag)) return undefined;
  if (tag.startsWith(YAML_TAG)) return `the tag !!${tag.slice(YAML_TAG.length)} makes a value no scenario field takes; remove the tag`;
  return `unknown tag ${tag}; remove it (scenario values carry no tags)`;
}

/** What is wrong with a map key, if anything: a list or map, or `__proto__` (which `toJS` would make the map's prototype, dropping the entry). */
export function keyProblem(key: unknown): string | undefined {
  if (isCollection(key)) return 'a key must be a name, not a list or map';
  if (isScalar(key) && key.value === '__proto__') return '"__proto__" cannot be a key; choose another name';
  return undefined;
}

/** A parsed document's data, after the checks above; `file` names it in messages. */
export function yamlData(doc: Document, lines: LineCounter, file: string): unknown {
  const problems: string[] = [];
  const at = (node: { range?: [number, number, number] | null } | null | undefined) => (node?.range ? Math.max(1, lines.linePos(node.range[0]).line) : 1);
  visit(doc, {
    Alias(_, alias, path) {
      const target = alias.resolve(doc);
      if (target === undefined) {
        problems.push(`${file}:${at(alias)} YAML: unknown alias *${alias.source}; an anchor &${alias.source} must come before it`);
      } else if (path.includes(target as Node)) {
        problems.push(`${file}:${at(alias)} YAML: the alias *${alias.source} is inside its own anchor &${alias.source}, a value that contains itself`);
      }
    },
    Value(_, node) {
      const problem = tagProblem(node.tag);
      if (problem !== undefined) problems.push(`${file}:${at(node)} YAML: ${problem}`);
    },
    Pair(_, pair) {
      const problem = keyProblem(pair.key);
      if (problem !== undefined) problems.push(`${file}:${at(pair.key as Node)} YAML: ${problem}`);
      else if (isMergeKey(pair.key) && !mergesMaps(doc, pair.value)) {
        problems.push(`${file}:${at(pair.key as Node)} YAML: "<<" merges maps into this one; give it an anchored map (<<: *defaults) or a list of them`);
      }
    },
  });
  if (problems.length > 0) throw new InputError(problems.join('\n'));
  try {
    // A small alias budget: a scenario has no use for billion-laughs expansion.
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    throw new InputError(`${file}:1 YAML: the aliases (*name) expand to too much`);
  }
}
