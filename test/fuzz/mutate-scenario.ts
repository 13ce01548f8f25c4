/**
 * Seeded mutations of a scenario file, as a careless or hurried user makes them: a field deleted,
 * misspelt or given the wrong type, numbers and units out of range, names that do not exist, YAML
 * that does not parse, bytes that are not text — and a few edits that change nothing a scenario
 * means (CRLF, a BOM, comments, anchors), which must still run.
 *
 * Guarantee: the same text, seed and index give the same mutation (mulberry32, no Math.random).
 * Each mutation says what the CLI must do with it: `reject` (exit 2, one located line), `accept`
 * (it means the same scenario: it must not be refused) or `either` (the schema decides; whatever
 * it decides, the message or the run must be well formed). How it fails: a mutation that cannot
 * apply to this file (no number in it, say) falls back to another kind, never to no change.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode, type Pair, type Scalar } from 'yaml';

export type Expectation = 'reject' | 'accept' | 'either';

export interface Mutation {
  /** The mutation's kind, e.g. `wrong-type`. */
  readonly kind: string;
  /** What was done, for a report: `links[0].latency: 500us → "10 ss"`. */
  readonly what: string;
  /** The field path it touched (`links[0].latency`), when it touched one field. */
  readonly path?: string;
  readonly expect: Expectation;
  /** The file's new bytes. */
  readonly bytes: Buffer;
}

/** A small, fast, seeded generator (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

/** A place in the document: the node, its path, and the map pair holding it (when in a map). */
interface Site {
  readonly path: (string | number)[];
  readonly node: YamlNode;
  readonly pair?: Pair;
  readonly parent: YamlNode;
}

function pathText(path: readonly (string | number)[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
}

function walk(node: unknown, path: (string | number)[], out: Site[], parent?: YamlNode, pair?: Pair): void {
  if (node === null || typeof node !== 'object') return;
  if (parent !== undefined) out.push({ path, node: node as YamlNode, parent, ...(pair ? { pair } : {}) });
  if (isMap(node)) for (const item of node.items) walk(item.value, [...path, String(isScalar(item.key) ? item.key.value : item.key)], out, node, item);
  else if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i], out, node));
}

function sites(doc: Document): Site[] {
  const out: Site[] = [];
  walk(doc.contents, [], out);
  return out;
}

const DURATION = /^-?\d+(\.\d+)?\s*(us|ms|s|m|h)$/;
const UNIT = /^\d+(\.\d+)?\s*[A-Za-z/]+$/;

/** Every name the scenario defines (sites, nodes, services…): what a reference may point at. */
function names(doc: Document): Set<string> {
  const js = doc.toJS() as Record<string, unknown>;
  const out = new Set<string>();
  for (const section of Object.values(js)) {
    if (section !== null && typeof section === 'object' && !Array.isArray(section)) for (const name of Object.keys(section)) out.add(name);
  }
  for (const [site, spec] of Object.entries((js.sites ?? {}) as Record<string, { nodes?: unknown }>)) {
    const nodes = spec?.nodes;
    if (typeof nodes === 'number') for (let i = 1; i <= nodes; i++) out.add(`${site}-${i}`);
    if (Array.isArray(nodes)) for (const name of nodes) out.add(String(name));
  }
  return out;
}

const text = (doc: Document) => Buffer.from(doc.toString({ lineWidth: 0 }));

/** Swaps, drops or doubles a letter: the typos a hand makes. */
function typo(rng: Rng, word: string): string {
  if (word.length < 3) return `${word}x`;
  const i = 1 + Math.floor(rng() * (word.length - 2));
  switch (Math.floor(rng() * 3)) {
    case 0:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 1:
      return word.slice(0, i) + word.slice(i + 1);
    default:
      return word.slice(0, i) + word[i] + word.slice(i);
  }
}

type Maker = (doc: Document, raw: string, rng: Rng, all: Site[]) => Mutation | undefined;

const scalarSites = (all: Site[]) => all.filter((s) => isScalar(s.node));
const pairSites = (all: Site[]) => all.filter((s) => s.pair !== undefined);

function setNode(doc: Document, site: Site, value: unknown): void {
  const node = doc.createNode(value);
  if (site.pair) site.pair.value = node;
  else if (isSeq(site.parent)) site.parent.items[site.path.at(-1) as number] = node;
}

/** A value replaced: `values` are what a user might write instead. */
function replaceWith(kind: string, filter: (s: Site) => boolean, values: readonly unknown[], expect: Expectation): Maker {
  return (doc, _raw, rng, all) => {
    const candidates = all.filter(filter);
    if (candidates.length === 0) return undefined;
    const site = pick(rng, candidates);
    const value = pick(rng, values);
    const before = isScalar(site.node) ? String((site.node as Scalar).value) : isSeq(site.node) ? 'a list' : 'a map';
    setNode(doc, site, value);
    return { kind, what: `${pathText(site.path)}: ${before} → ${JSON.stringify(value)}`, path: pathText(site.path), expect, bytes: text(doc) };
  };
}

const isNumberish = (s: Site) => isScalar(s.node) && (typeof (s.node as Scalar).value === 'number' || UNIT.test(String((s.node as Scalar).value)));
const isDuration = (s: Site) => isScalar(s.node) && DURATION.test(String((s.node as Scalar).value));
const isProbability = (s: Site) => isScalar(s.node) && typeof (s.node as Scalar).value === 'number' && ((s.node as Scalar).value as number) > 0 && ((s.node as Scalar).value as number) < 1;

const MAKERS: Record<string, Maker> = {
  'delete-field': (doc, _raw, rng, all) => {
    const site = pick(rng, pairSites(all));
    const parent = site.parent as import('yaml').YAMLMap;
    parent.items.splice(parent.items.indexOf(site.pair!), 1);
    return { kind: 'delete-field', what: `deleted ${pathText(site.path)}`, path: pathText(site.path), expect: 'either', bytes: text(doc) };
  },
  'delete-top': (doc, _raw, rng) => {
    const required = pick(rng, ['name', 'duration', 'sites']);
    if (!doc.has(required)) return undefined;
    doc.delete(required);
    return { kind: 'delete-top', what: `deleted ${required}`, path: required, expect: 'reject', bytes: text(doc) };
  },
  'key-typo': (doc, _raw, rng, all) => {
    const site = pick(rng, pairSites(all));
    const key = site.path.at(-1) as string;
    const misspelt = typo(rng, key);
    (site.pair!.key as Scalar).value = misspelt;
    // A key that is a user's name (a site, a service) may be renamed freely.
    return { kind: 'key-typo', what: `${pathText(site.path)} → key "${misspelt}"`, path: pathText([...site.path.slice(0, -1), misspelt]), expect: 'either', bytes: text(doc) };
  },
  'unknown-field': (doc, _raw, rng, all) => {
    const maps = all.filter((s) => isMap(s.node));
    const site = maps.length > 0 ? pick(rng, maps) : undefined;
    const target = (site?.node ?? doc.contents) as import('yaml').YAMLMap;
    if (!isMap(target)) return undefined;
    target.set('zqxv', 1);
    const path = pathText([...(site?.path ?? []), 'zqxv']);
    return { kind: 'unknown-field', what: `added ${path}: 1`, path, expect: 'either', bytes: text(doc) };
  },
  'unknown-top-field': (doc) => {
    doc.set('durration', '10s');
    return { kind: 'unknown-top-field', what: 'added durration: 10s', path: 'durration', expect: 'reject', bytes: text(doc) };
  },
  'wrong-type': replaceWith('wrong-type', () => true, ['abc', [1, 2], { a: 1 }, null, true, ''], 'either'),
  'number-wrong-type': replaceWith('number-wrong-type', isNumberish, ['abc', [1], { a: 1 }, null, true, '', 'NaN', '.nan'], 'reject'),
  'bad-number': replaceWith('bad-number', (s) => isScalar(s.node) && typeof (s.node as Scalar).value === 'number', [-1, -0.5, 1e400, -1e400, Number.NaN, 1e20, 2 ** 53 + 1, 1.5, 0, '1e400', '0x10', '1_000'], 'either'),
  'bad-unit': replaceWith('bad-unit', isNumberish, ['10 ss', '5 min', '-3s', '1e400s', '5', '-1', 'NaNs', 'Infinitys', '3 s s', '0s', '1e-9s', '10Gbps/s', '5MiBs', '-5MiB', '0/s', '1e30/s'], 'either'),
  'bad-duration': replaceWith('bad-duration', isDuration, ['10 ss', '5 min', '-3s', '1e400s', '5', '-1', 'NaNs', 'Infinitys', '1.5us', '99999999h', '0.1us', '1s1', 's'], 'either'),
  'bad-probability': replaceWith('bad-probability', isProbability, [1.5, -0.1, 2, 100, '50%', 'NaN', 1e400], 'either'),
  'unknown-name': (doc, _raw, rng, all) => {
    const known = names(doc);
    const refs = scalarSites(all).filter((s) => s.pair === undefined || !known.has(String(s.path.at(-1)))).filter((s) => known.has(String((s.node as Scalar).value)));
    if (refs.length === 0) return undefined;
    const site = pick(rng, refs);
    const old = String((site.node as Scalar).value);
    const value = pick(rng, [typo(rng, old), 'nosuch', `${old}-9`]);
    (site.node as Scalar).value = value;
    return { kind: 'unknown-name', what: `${pathText(site.path)}: ${old} → ${value}`, path: pathText(site.path), expect: 'either', bytes: text(doc) };
  },
  'duplicate-list-item': (doc, _raw, rng, all) => {
    const lists = all.filter((s) => isSeq(s.node) && (s.node as import('yaml').YAMLSeq).items.length > 0);
    if (lists.length === 0) return undefined;
    const site = pick(rng, lists);
    const seq = site.node as import('yaml').YAMLSeq;
    seq.items.push(doc.createNode((seq.items[0] as YamlNode).toJSON()));
    return { kind: 'duplicate-list-item', what: `${pathText(site.path)}: first item repeated`, path: pathText(site.path), expect: 'either', bytes: text(doc) };
  },
  'fault-after-end': (doc, _raw, rng) => {
    const faults = doc.get('faults');
    if (!isSeq(faults) || faults.items.length === 0) return undefined;
    const i = Math.floor(rng() * faults.items.length);
    const at = pick(rng, ['100h', '1000000s', '1e6m']);
    doc.setIn(['faults', i, 'at'], at);
    return { kind: 'fault-after-end', what: `faults[${i}].at → ${at}`, path: `faults[${i}].at`, expect: 'reject', bytes: text(doc) };
  },
  'deep-value': (doc, _raw, rng, all) => {
    const site = pick(rng, all);
    const depth = pick(rng, [30, 150, 3000]);
    // Written as flow text: the yaml library's own node builder recurses as deep.
    let value = '1';
    for (let i = 0; i < depth; i++) value = rng() < 0.5 ? `[${value}]` : `{a: ${value}}`;
    setNode(doc, site, 'DEEP_VALUE_HERE');
    const bytes = Buffer.from(doc.toString({ lineWidth: 0 }).replace('DEEP_VALUE_HERE', value));
    return { kind: 'deep-value', what: `${pathText(site.path)}: nested ${depth} deep`, path: pathText(site.path), expect: 'reject', bytes };
  },
  'anchor-alias': (doc, _raw, rng, all) => {
    // The same value written once and referred to: the same scenario.
    const scalars = scalarSites(all).filter((s) => s.pair !== undefined);
    const groups = new Map<string, Site[]>();
    for (const s of scalars) {
      const key = JSON.stringify((s.node as Scalar).value);
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    const repeated = [...groups.values()].filter((g) => g.length > 1);
    if (repeated.length === 0) return undefined;
    const [first, second] = pick(rng, repeated);
    const anchor = doc.createAlias(first!.node as Scalar, 'v');
    second!.pair!.value = anchor;
    return { kind: 'anchor-alias', what: `${pathText(second!.path)} → *${anchor.source}`, expect: 'accept', bytes: text(doc) };
  },
  'merge-key': (doc, _raw, rng, all) => {
    // A map written as a merge of itself (`x: { <<: {…} }`): the same scenario.
    const maps = all.filter((s) => isMap(s.node) && s.pair !== undefined && (s.node as import('yaml').YAMLMap).items.length > 0);
    if (maps.length === 0) return undefined;
    const site = pick(rng, maps);
    const copy = JSON.stringify((site.node as YamlNode).toJSON());
    setNode(doc, site, 'MERGED_HERE');
    const bytes = Buffer.from(doc.toString({ lineWidth: 0 }).replace('MERGED_HERE', `{ <<: ${copy} }`));
    return { kind: 'merge-key', what: `${pathText(site.path)}: written as { <<: {…} }`, path: pathText(site.path), expect: 'accept', bytes };
  },
  'merge-not-a-map': (doc, _raw, rng, all) => {
    const maps = all.filter((s) => isMap(s.node) && s.pair !== undefined);
    if (maps.length === 0) return undefined;
    const site = pick(rng, maps);
    const value = pick(rng, ['5', '[1, 2]', '"text"', '~', '[*nosuch]']);
    setNode(doc, site, 'MERGED_HERE');
    const bytes = Buffer.from(doc.toString({ lineWidth: 0 }).replace('MERGED_HERE', `{ <<: ${value} }`));
    return { kind: 'merge-not-a-map', what: `${pathText(site.path)}: { <<: ${value} }`, path: pathText(site.path), expect: 'reject', bytes };
  },
  'huge-duration': replaceWith('huge-duration', isDuration, ['1e9h', '99999999999999999999h', '1e9999s', '18446744073709551616us', '9007199254740993us', '2562048h', '2562047h47m16s854775us', '1e9h30m', '0x10s', '1_000s', '１０s'], 'either'),
  'huge-number': replaceWith('huge-number', (s) => isScalar(s.node) && typeof (s.node as Scalar).value === 'number', ['1e9999', '99999999999999999999999', '-0', '0.0000000001', '1e308', '0b101', '0o17', '+5', '.5', '5.', '1__0'], 'either'),
  'unicode-name': (doc, _raw, rng, all) => {
    // A user's name (a site, a service, a workload) written with letters a name cannot have.
    const named = pairSites(all).filter((s) => s.path.length === 2 && ['sites', 'services', 'workload'].includes(String(s.path[0])));
    if (named.length === 0) return undefined;
    const site = pick(rng, named);
    const key = String(site.path.at(-1));
    const value = pick(rng, [`${key}-é`, 'ｈｐｃ', `${key}\u200b`, `${key}\u202egnp`, '😀', key.toUpperCase(), `${key} two`, `${key}\u0301`, 'ℌ𝔭𝔠', `${key}\ufeff`]);
    (site.pair!.key as Scalar).value = value;
    return { kind: 'unicode-name', what: `${pathText(site.path)} → key ${JSON.stringify((site.pair!.key as Scalar).value)}`, path: pathText(site.path), expect: 'either', bytes: text(doc) };
  },
  'unicode-value': replaceWith('unicode-value', (s) => isScalar(s.node) && typeof (s.node as Scalar).value === 'string', ['é', '１０ms', '10ｍs', '10 µs', '10μs', '\u202e10s', '10s\u200b', '😀', 'ǅ', '\ufeff10s', '10\u00a0s'], 'either'),
};

/** Mutations of the raw text: they break what a parser sees, not what the schema sees. */
const RAW: Record<string, (raw: string, rng: Rng) => Mutation | undefined> = {
  crlf: (raw) => ({ kind: 'crlf', what: 'CRLF line ends', expect: 'accept', bytes: Buffer.from(raw.replace(/\r?\n/g, '\r\n')) }),
  bom: (raw) => ({ kind: 'bom', what: 'a UTF-8 byte-order mark', expect: 'accept', bytes: Buffer.from(`\ufeff${raw}`) }),
  'extra-comments': (raw) => ({ kind: 'extra-comments', what: 'comments between every line', expect: 'accept', bytes: Buffer.from(raw.replace(/\n(?=\S)/g, '\n# a comment: with [brackets] and "quotes"\n')) }),
  empty: () => ({ kind: 'empty', what: 'an empty file', expect: 'reject', bytes: Buffer.alloc(0) }),
  whitespace: () => ({ kind: 'whitespace', what: 'only blank lines', expect: 'reject', bytes: Buffer.from('\n  \n\t\n') }),
  'only-comments': (raw) => ({ kind: 'only-comments', what: 'every line commented out', expect: 'reject', bytes: Buffer.from(raw.replace(/^/gm, '# ')) }),
  binary: (_raw, rng) => ({ kind: 'binary', what: 'random bytes', expect: 'reject', bytes: Buffer.from(Array.from({ length: 64 + Math.floor(rng() * 512) }, () => Math.floor(rng() * 256))) }),
  'truncate': (raw, rng) => {
    const at = Math.floor(rng() * raw.length);
    return { kind: 'truncate', what: `cut at byte ${at}`, expect: 'either', bytes: Buffer.from(raw.slice(0, at)) };
  },
  tab: (raw, rng) => {
    const lines = raw.split('\n');
    const indented = lines.map((l, i) => [l, i] as const).filter(([l]) => /^ +[^\s#]/.test(l));
    if (indented.length === 0) return undefined;
    const [, i] = pick(rng, indented);
    lines[i] = lines[i]!.replace(/^ +/, '\t');
    return { kind: 'tab', what: `line ${i + 1} indented with a tab`, expect: 'reject', bytes: Buffer.from(lines.join('\n')) };
  },
  'duplicate-key': (raw, rng) => {
    const lines = raw.split('\n');
    const keyed = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*[A-Za-z][\w-]*:\s*[^\s#{[]/.test(l) && !/^\s*- /.test(l));
    if (keyed.length === 0) return undefined;
    const [line, i] = pick(rng, keyed);
    lines.splice(i + 1, 0, line);
    return { kind: 'duplicate-key', what: `line ${i + 1} repeated`, expect: 'reject', bytes: Buffer.from(lines.join('\n')) };
  },
  'syntax': (raw, rng) => {
    const lines = raw.split('\n');
    const content = lines.map((l, i) => [l, i] as const).filter(([l]) => /:\s*\S/.test(l) && !/^\s*#/.test(l));
    if (content.length === 0) return undefined;
    const [line, i] = pick(rng, content);
    const broken = pick(rng, [
      line.replace(/:\s/, ' '),
      `${line} [`,
      `${line} {`,
      line.replace(/\{/, ''),
      line.replace(/\]/, ''),
      `${line}: : x`,
      `${line} "`,
      line.replace(/^(\s*)/, '$1  '),
      `${line.replace(/^(\s*).*$/, '$1')}- orphan`,
      `${line} *nosuchanchor`,
      `${line} !!binary`,
      '---\nname: second-document',
    ]);
    lines[i] = broken;
    return { kind: 'syntax', what: `line ${i + 1}: ${JSON.stringify(line.trim())} → ${JSON.stringify(broken.trim())}`, expect: 'either', bytes: Buffer.from(lines.join('\n')) };
  },
  'control-char': (raw, rng) => {
    const at = raw.indexOf(':', Math.floor(rng() * raw.length));
    if (at < 0) return undefined;
    return { kind: 'control-char', what: `a \\u0007 after byte ${at + 2}`, expect: 'either', bytes: Buffer.from(`${raw.slice(0, at + 2)}\u0007${raw.slice(at + 2)}`) };
  },
  'utf16': (raw) => ({ kind: 'utf16', what: 'saved as UTF-16LE with a BOM', expect: 'reject', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(raw, 'utf16le')]) }),
  'latin1': (raw) => ({ kind: 'latin1', what: 'a Latin-1 é in a comment', expect: 'either', bytes: Buffer.concat([Buffer.from(raw), Buffer.from([0x23, 0x20, 0xe9, 0x0a])]) }),
  'top-level-list': (raw) => ({ kind: 'top-level-list', what: 'the whole file as one list item', expect: 'reject', bytes: Buffer.from(`- ${raw.replace(/\n/g, '\n  ')}`) }),
  'bom-crlf': (raw) => ({ kind: 'bom-crlf', what: 'a BOM and CRLF line ends', expect: 'accept', bytes: Buffer.from(`\ufeff${raw.replace(/\r?\n/g, '\r\n')}`) }),
  'mixed-eol': (raw, rng) => ({ kind: 'mixed-eol', what: 'CRLF on some lines, LF on others', expect: 'accept', bytes: Buffer.from(raw.replace(/\r?\n/g, () => (rng() < 0.5 ? '\r\n' : '\n'))) }),
  'trailing-whitespace': (raw) => ({ kind: 'trailing-whitespace', what: 'spaces and tabs at the end of every line', expect: 'accept', bytes: Buffer.from(raw.replace(/\n/g, ' \t\n')) }),
  'tab-separator': (raw, rng) => {
    const lines = raw.split('\n');
    const keyed = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*[A-Za-z][\w-]*: \S/.test(l));
    if (keyed.length === 0) return undefined;
    const [line, i] = pick(rng, keyed);
    lines[i] = line.replace(': ', ':\t');
    return { kind: 'tab-separator', what: `line ${i + 1}: a tab after the colon`, expect: 'either', bytes: Buffer.from(lines.join('\n')) };
  },
  'nul-byte': (raw, rng) => {
    const at = Math.floor(rng() * raw.length);
    return { kind: 'nul-byte', what: `a NUL byte at ${at}`, expect: 'either', bytes: Buffer.concat([Buffer.from(raw.slice(0, at)), Buffer.from([0]), Buffer.from(raw.slice(at))]) };
  },
  'bom-inside': (raw, rng) => {
    const at = raw.indexOf('\n', Math.floor(rng() * raw.length)) + 1;
    return { kind: 'bom-inside', what: `a BOM at the start of a line (byte ${at})`, expect: 'either', bytes: Buffer.from(`${raw.slice(0, at)}\ufeff${raw.slice(at)}`) };
  },
  'long-value': (raw, rng) => {
    const lines = raw.split('\n');
    const keyed = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*[A-Za-z][\w-]*: [^\s#{[]/.test(l));
    if (keyed.length === 0) return undefined;
    const [line, i] = pick(rng, keyed);
    lines[i] = line.replace(/: .*$/, `: ${'x'.repeat(200_000)}`);
    return { kind: 'long-value', what: `line ${i + 1}: a value of 200,000 characters`, expect: 'either', bytes: Buffer.from(lines.join('\n')) };
  },
  'billion-laughs': () => ({
    kind: 'billion-laughs',
    what: 'aliases of aliases',
    expect: 'reject',
    bytes: Buffer.from(`name: x\nduration: 10s\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\nsites: {a: {role: hpc, nodes: 1}}\n`),
  }),
};

export const MUTATION_KINDS: readonly string[] = [...Object.keys(MAKERS), ...Object.keys(RAW)];

/**
 * The `index`-th mutation of `raw` for `seed`: its kind is chosen from `kinds` (all by default),
 * the place and value from the document.
 */
export function mutate(raw: string, seed: number, index: number, kinds: readonly string[] = MUTATION_KINDS): Mutation {
  const rng = random(seed * 1_000_003 + index);
  for (let attempt = 0; attempt < 20; attempt++) {
    const kind = pick(rng, kinds);
    const doc = parseDocument(raw);
    const made = kind in RAW ? RAW[kind]!(raw, rng) : MAKERS[kind]!(doc, raw, rng, sites(doc));
    if (made !== undefined) return made;
  }
  return RAW.empty!(raw, rng)!;
}
