/**
 * Layer rules over the import graph: which files a rule governs, what they may import, and the
 * edges that break it.
 *
 * Patterns are paths relative to the repository root with three wildcards: `*` matches within one
 * path segment, a final `/**` matches anything below a folder, and `<f>` matches one segment and
 * binds it — in a rule's `may` list, `<f>` then stands for the same segment as in the importing
 * file (a feature's own folder), while `*` stands for any (another feature's).
 *
 * Guarantee: a file is governed by the first rule whose `files` match it, so a narrower rule is
 * listed before a wider one (`src/kernel/contract/**` before `src/kernel/**`). How it fails:
 * `governing` returns undefined for a file no rule covers (the caller reports it), and a pattern
 * with `**` anywhere but at the end throws.
 */
import type { Edge } from './_graph.ts';

export interface Rule {
  /** Short name, used in messages and as the key of the allowlist. */
  readonly name: string;
  /** The files this rule governs. */
  readonly files: readonly string[];
  /** What they may import. */
  readonly may: readonly string[];
  /** What they may import only as types (`import type`, or every name marked `type`). */
  readonly mayTypes?: readonly string[];
  /** Why the rule exists; printed with every edge that breaks it. */
  readonly why: string;
}

/** A rule and the value `<f>` took for one file. */
export interface Governed {
  readonly rule: Rule;
  readonly binding: string | undefined;
}

export interface Violation {
  readonly edge: Edge;
  readonly rule: Rule;
}

const compiled = new Map<string, RegExp>();

function regExpOf(pattern: string): RegExp {
  let cached = compiled.get(pattern);
  if (cached !== undefined) return cached;
  const below = pattern.endsWith('/**');
  const body = below ? pattern.slice(0, -3) : pattern;
  if (body.includes('**')) throw new Error(`pattern '${pattern}': '**' is only allowed as the last segment`);
  const source = body
    .split(/(<f>|\*)/)
    .map((part) => (part === '<f>' ? '(?<f>[^/]+)' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  cached = new RegExp(`^${source}${below ? '/.+' : ''}$`);
  compiled.set(pattern, cached);
  return cached;
}

/** The `<f>` value when `path` matches `pattern` (undefined if the pattern has none), or false. */
function match(pattern: string, path: string): { binding: string | undefined } | false {
  const found = regExpOf(pattern).exec(path);
  return found === null ? false : { binding: found.groups?.f };
}

/** The first rule covering `path`, or undefined. */
export function governing(rules: readonly Rule[], path: string): Governed | undefined {
  for (const rule of rules) {
    for (const pattern of rule.files) {
      const found = match(pattern, path);
      if (found !== false) return { rule, binding: found.binding };
    }
  }
  return undefined;
}

function allowedBy(patterns: readonly string[], binding: string | undefined, path: string): boolean {
  return patterns.some((pattern) => {
    if (pattern.includes('<f>') && binding === undefined) throw new Error(`'${pattern}' uses <f> in a rule whose files bind none`);
    return match(binding === undefined ? pattern : pattern.replaceAll('<f>', binding), path) !== false;
  });
}

/** True when the governed file may import `edge.to` the way `edge` does. */
export function permits(governed: Governed, edge: Edge): boolean {
  const { rule, binding } = governed;
  if (allowedBy(rule.may, binding, edge.to)) return true;
  return edge.kind === 'type' && allowedBy(rule.mayTypes ?? [], binding, edge.to);
}

/** Every edge whose importer's rule does not permit it (edges from ungoverned files are skipped). */
export function violations(rules: readonly Rule[], edges: readonly Edge[]): Violation[] {
  const out: Violation[] = [];
  for (const edge of edges) {
    const governed = governing(rules, edge.from);
    if (governed !== undefined && !permits(governed, edge)) out.push({ edge, rule: governed.rule });
  }
  return out;
}
