/**
 * The layer rules of DESIGN.md ("Layout"), checked over the file-level import graph of `src/` and
 * `viz/` rather than hoped for.
 *
 * - Every source file is governed by exactly one rule (the first that matches); a new folder
 *   fails here until someone decides what it may import.
 * - No edge breaks its importer's rule. Type-only imports count: a type dependency is still a
 *   dependency a reader must follow, and it pins the layer of whatever it names.
 * - No import cycle, type-only edges included.
 * - `KNOWN_VIOLATIONS` lists, exactly, the edges that break the target today while the layout is
 *   being built. It may only shrink: an entry whose edge is gone, or no longer breaks its rule
 *   (or no longer closes a cycle), fails the test until it is deleted.
 *
 * The graph comes from the TypeScript parser (test/architecture/_graph.ts), resolved with the
 * repository's tsconfig; the rule patterns are explained in test/architecture/_rules.ts. Lint
 * (eslint.config.js, `no-restricted-imports`) repeats the rules a path alone decides, to report
 * them in the editor with a better message; this test is the authority.
 */
import test from 'ava';
import { ESLint } from 'eslint';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cycles, importGraph, onCycle, sourceFiles, type Edge } from './_graph.ts';
import { governing, permits, violations, type Rule } from './_rules.ts';

/** The layers below a feature that a feature's assembly and the runners above it build on. */
const GENERIC = ['src/world/**', 'src/deploy/**', 'src/faults/**', 'src/check/**', 'src/metrics/**'];
/**
 * The host: where the package's own files are (package.json, viz sources), and making directories
 * on it (Node's recursive mkdir can hang): leaves for any code that touches files.
 */
const HOST = ['src/package-layout.ts', 'src/make-dirs.ts'];
/** The kernel's output format — writing a trace and reading one back — is public, unlike its engine. */
const TRACE_WRITER = 'src/kernel/trace*.ts';
const TRACE_READER = 'src/kernel/trace-reader.ts';

/**
 * The rules, narrowest first (a file is governed by the first rule matching it). `<f>` is the
 * importing file's own feature; `*` in `src/features/*` is any feature.
 */
export const RULES: readonly Rule[] = [
  {
    name: 'contract stands alone',
    files: ['src/kernel/contract/**'],
    may: ['src/kernel/contract/**'],
    why: 'actor code imports the contract, so whatever the contract imports becomes reachable from every actor; it must stay the same small, pure surface under simulation and emulation',
  },
  {
    name: 'kernel is the bottom layer',
    files: ['src/kernel/**'],
    may: ['src/kernel/**'],
    why: 'the event queue, dispatch and trace run every world; if they depended on what runs on them, no layer could be changed without the kernel',
  },
  {
    name: 'world knows no protocol',
    files: ['src/world/**'],
    may: ['src/kernel/**', 'src/deploy/**', 'src/world/**'],
    why: "the simulated environment (nodes, links, disks, crashes) hosts any actor, a user's plug-in included, so it may not name one; which actors run where reaches it as data, a deployment (src/deploy/, below it)",
  },
  {
    name: 'deployment is shared by simulator and emulator',
    files: ['src/deploy/**'],
    may: ['src/kernel/contract/**', 'src/deploy/**'],
    why: 'which actor runs where, built by which factory, is consumed alike by the simulator and the emulator, so it may name only what both share: the contract',
  },
  {
    name: 'faults act on the world',
    files: ['src/faults/**'],
    may: ['src/kernel/**', 'src/world/**', 'src/faults/**'],
    why: "a fault crashes nodes and cuts links; one that knew a protocol would not apply to a user's protocol, and shrinking must stay protocol-agnostic",
  },
  {
    name: 'actors see only the contract',
    files: ['src/features/<f>/actors/**'],
    may: ['src/kernel/contract/**', 'src/features/<f>/actors/**', 'src/features/<f>/shared/**', 'src/features/*/actors/index.ts'],
    why: "actor code runs unchanged in simulation and emulation and cannot tell them apart: it sees the world only through the contract's Context, and another feature's actors only through their entry point (actors/index.ts)",
  },
  {
    name: 'feature shared code is pure',
    files: ['src/features/<f>/shared/**'],
    may: ['src/kernel/contract/**', 'src/features/<f>/shared/**'],
    why: "what a feature's actors and its checkers must agree on (e.g. the federated objective) lives here, so the checker need not import the actors it judges; it may use the contract only",
  },
  {
    name: 'checkers read only the trace',
    files: ['src/features/<f>/checks/**'],
    may: ['src/kernel/contract/**', 'src/check/**', 'src/features/<f>/checks/**', 'src/features/<f>/shared/**'],
    why: 'a checker is a pure fold over trace records (STYLE.md habit 5); reaching into the actors would let it share the bugs it is there to find, and tie it to a live run',
  },
  {
    name: 'metrics read only the trace',
    files: ['src/features/<f>/metrics/**'],
    may: ['src/kernel/contract/**', 'src/metrics/**', 'src/features/<f>/metrics/**', 'src/features/<f>/shared/**'],
    why: 'a metric is a pure fold over trace records, computed the same way from a live run and from a saved trace',
  },
  {
    name: 'a feature plugs in like a plug-in',
    files: ['src/features/<f>/index.ts', 'src/features/<f>/scenario/**'],
    may: ['src/kernel/contract/**', ...GENERIC, 'src/scenario/**', 'src/features/<f>/**', 'src/features/*/index.ts', 'src/features/*/actors/index.ts'],
    why: "a built-in feature gets what a user's plug-in gets: the contract, the generic layers and the scenario core, its own parts, and other features only through their entry points (index.ts, actors/index.ts) — no privileged path",
  },
  {
    name: 'built-in features are listed once',
    files: ['src/features/index.ts'],
    may: ['src/features/*/index.ts'],
    mayTypes: ['src/scenario/**'],
    why: "the built-ins are named in one list, in build order, through their entry points only — the same door a user's plug-in comes through",
  },
  {
    name: 'built-in build sides are listed once',
    files: ['src/features/builds.ts'],
    may: ['src/features/*/scenario/build.ts'],
    mayTypes: ['src/scenario/**'],
    why: "the part of each built-in that imports its actors is named in one list that only building a world imports, so reading and validating a scenario loads no protocol (scenario/feature.ts FeatureBuild)",
  },
  {
    name: 'checker machinery names no feature',
    files: ['src/check/**'],
    may: ['src/kernel/contract/**', 'src/check/**'],
    why: "verdicts, evidence and the shared anomaly folds serve every feature, a user's included; a feature's checkers register through defineFeature instead of being listed here",
  },
  {
    name: 'metric machinery names no feature',
    files: ['src/metrics/**'],
    may: ['src/kernel/contract/**', 'src/metrics/**'],
    why: "histograms, recovery and coverage serve every feature, a user's included; a feature's metrics register through defineFeature instead of being listed here",
  },
  {
    name: 'scenario never runs anything',
    files: ['src/scenario/**'],
    may: ['src/kernel/**', ...GENERIC, ...HOST, 'src/scenario/**', 'src/features/index.ts', 'src/features/builds.ts', 'src/features/*/index.ts'],
    why: "a scenario is a description turned into a world; every executor (one thread, workers, emulation, sweeps) builds from it, so it may not import exec/, report/ or cli/; it reaches features only through their defineFeature entry point or the built-ins' lists (descriptors, build sides)",
  },
  {
    name: 'exec runs, report presents',
    files: ['src/exec/**'],
    may: ['src/kernel/**', ...GENERIC, ...HOST, 'src/scenario/**', 'src/features/index.ts', 'src/features/*/index.ts', 'src/exec/**'],
    why: 'executors run what the scenario built and write raw results; summaries and pages are drawn from those results by report/, commands by cli/, so exec imports neither',
  },
  {
    name: 'report reads results',
    files: ['src/report/**'],
    may: ['src/kernel/contract/**', TRACE_READER, 'src/check/**', 'src/metrics/**', ...HOST, 'src/report/**', 'viz/wire/**'],
    mayTypes: ['src/scenario/**'],
    why: "reports are drawn from written results (traces read back, verdicts, metrics), so they never build or run a scenario; the timeline page shares only its wire format (viz/wire/) with the writer, not its d3 code",
  },
  {
    name: 'public API hides the kernel',
    files: ['src/index.ts'],
    may: ['src/kernel/contract/**', TRACE_WRITER, TRACE_READER, ...GENERIC, 'src/scenario/**', 'src/features/*/index.ts', 'src/exec/**'],
    why: 'the package exports the contract, the trace format, World, the deployment, execute, defineFeature and checker/metric definitions; the simulator, event queue and partition role stay internal so they can change',
  },
  {
    name: 'host helpers are leaves',
    files: HOST,
    may: [],
    why: 'they only compute where the package lives (source or dist/) or make directories; anything they imported would load in every runner and worker',
  },
  {
    name: 'the lab runs scenarios in the page',
    files: ['src/lab/**'],
    may: ['src/kernel/**', ...GENERIC, ...HOST, 'src/scenario/**', 'src/features/index.ts', 'src/exec/**', 'src/report/**', 'src/lab/**', 'viz/lab/protocol.ts'],
    why: "the lab builds and runs a scenario as the CLI does (scenario, exec) and draws it with the timeline's encoder (report); its worker and page speak through viz/lab/protocol.ts, and commands (cli/) start it, not the other way round",
  },
  {
    name: 'cli is the top',
    files: ['src/cli/**'],
    may: ['src/**', 'viz/wire/**'],
    why: 'commands wire everything together and nothing imports them',
  },
  {
    name: 'viz wire format is shared',
    files: ['viz/wire/**'],
    may: ['viz/wire/**'],
    why: 'report/ writes what the page reads through these modules; they must run in Node without d3 or the DOM, and carry nothing else across',
  },
  {
    name: 'viz model is pure',
    files: ['viz/model/**'],
    may: ['viz/wire/**', 'viz/model/**'],
    why: 'the page model (lanes, spans, filters) is a pure function of the decoded trace, testable without a browser (STYLE.md habit 11)',
  },
  {
    name: 'viz drawing is below panels and UI',
    files: ['viz/draw/**'],
    may: ['viz/wire/**', 'viz/model/**', 'viz/draw/**'],
    why: 'drawing maps the model to marks; it must not depend on panels or on the interactive UI that composes it',
  },
  {
    name: 'viz panels compose drawing',
    files: ['viz/panels/**'],
    may: ['viz/wire/**', 'viz/model/**', 'viz/draw/**', 'viz/panels/**'],
    why: 'a panel composes marks over the model; the UI (controls, playback, export) drives panels, not the other way round',
  },
  {
    name: 'the lab page composes the timeline',
    files: ['viz/lab/**'],
    may: ['viz/wire/**', 'viz/model/**', 'viz/draw/**', 'viz/panels/**', 'viz/ui/**', 'viz/lab/**'],
    why: 'the lab page draws with the timeline modules and talks to its worker only through messages (protocol.ts); it imports nothing from src/',
  },
  {
    name: 'viz UI is the top of the page',
    files: ['viz/ui/**', 'viz/*.ts'],
    may: ['viz/**'],
    why: 'the UI wires the page together and nothing in viz imports it; no viz file imports src/ (the page is a separate bundle)',
  },
];

/** The allowlist key for cycles (every other key is a rule name). */
const CYCLE = 'cycle';

/**
 * Edges that break the target today, by rule, exactly as `from -> to`. This list may only shrink:
 * fix the edge, then delete its line (the test fails on an entry that no longer applies). For
 * cycles, an entry is one edge of the cycle that should go; the others must then form no cycle.
 */
const KNOWN_VIOLATIONS: { readonly [rule: string]: readonly string[] } = {
  'actors see only the contract': [
    // Deep imports of another feature's actors: import from its actors/index.ts instead.
    'src/features/forward/actors/forwarder.ts -> src/features/log/actors/messages.ts',
    'src/features/forward/actors/forwarder.ts -> src/features/store/actors/messages.ts',
    'src/features/forward/actors/sink.ts -> src/features/log/actors/messages.ts',
  ],
};

const root = fileURLToPath(new URL('../../', import.meta.url));
const files = sourceFiles(root, ['src', 'viz']);
const { edges: graph, unresolved } = importGraph(root, files);
const key = (edge: Pick<Edge, 'from' | 'to'>) => `${edge.from} -> ${edge.to}`;

test('the graph is derived from the source files', (t) => {
  t.true(files.length > 100, `found only ${files.length} source files`);
  t.true(graph.length > 500, `found only ${graph.length} edges`);
  t.true(graph.some((e) => e.kind === 'type') && graph.some((e) => e.kind === 'value'));
});

test('every relative import resolves to a file (else the graph has a hole)', (t) => {
  t.deepEqual(unresolved, []);
});

test('every source file in src/ and viz/ is governed by a rule', (t) => {
  const ungoverned = files.filter((file) => governing(RULES, file) === undefined);
  t.deepEqual(ungoverned, [], 'add a rule to RULES saying what these files may import (and why)');
});

test('every allowlist key names a rule', (t) => {
  const names = new Set([...RULES.map((r) => r.name), CYCLE]);
  t.deepEqual(Object.keys(KNOWN_VIOLATIONS).filter((name) => !names.has(name)), []);
});

test('no import breaks its layer rule (beyond the known violations)', (t) => {
  const known = new Set(Object.entries(KNOWN_VIOLATIONS).flatMap(([rule, edges]) => edges.map((e) => `${rule}: ${e}`)));
  const fresh = violations(RULES, graph).filter(({ edge, rule }) => !known.has(`${rule.name}: ${key(edge)}`));
  const byRule = new Map<Rule, Edge[]>();
  for (const { edge, rule } of fresh) byRule.set(rule, [...(byRule.get(rule) ?? []), edge]);
  const explained = [...byRule.entries()].map(
    ([rule, edges]) =>
      `"${rule.name}" — ${rule.why}\n${edges.map((e) => `    ${e.from}:${e.line} imports ${e.to}${e.kind === 'type' ? ' (types only)' : ''}`).join('\n')}`,
  );
  const allowlist = [...byRule.entries()].map(([rule, edges]) => `  '${rule.name}': [\n${edges.map((e) => `    '${key(e)}',`).join('\n')}\n  ],`);
  t.deepEqual(
    fresh.map(({ edge }) => key(edge)),
    [],
    `forbidden imports, by rule:\n${explained.join('\n')}\nFix them; an edge that must stay for now goes into KNOWN_VIOLATIONS:\n${allowlist.join('\n')}`,
  );
});

test('the import graph has no cycle, type-only imports included (beyond the known ones)', (t) => {
  const broken = new Set(KNOWN_VIOLATIONS[CYCLE] ?? []);
  const found = cycles(graph.filter((edge) => !broken.has(key(edge))));
  t.deepEqual(
    found.map((cycle) => cycle.join('\n    -> ')),
    [],
    'each cycle is shown once per edge on it; break it by removing one edge (move the shared piece to a lower layer)',
  );
});

test('the known violations are not stale (the list only shrinks)', (t) => {
  const present = new Map(graph.map((edge) => [key(edge), edge]));
  const forbidden = new Set(violations(RULES, graph).map(({ edge, rule }) => `${rule.name}: ${key(edge)}`));
  const stale: string[] = [];
  for (const [rule, edges] of Object.entries(KNOWN_VIOLATIONS)) {
    for (const entry of edges) {
      const edge = present.get(entry);
      if (edge === undefined) stale.push(`${rule}: ${entry} — the edge is gone`);
      else if (rule === CYCLE ? !onCycle(graph, edge.from, edge.to) : !forbidden.has(`${rule}: ${entry}`)) {
        stale.push(`${rule}: ${entry} — ${rule === CYCLE ? 'no longer on a cycle' : 'this rule allows it'}`);
      }
    }
  }
  t.deepEqual(stale, [], 'delete these lines from KNOWN_VIOLATIONS');
});

/** The specifier a file would write to import `to` (what lint sees). */
function specifier(from: string, to: string): string {
  const path = relative(dirname(from), to);
  return path.startsWith('.') ? path : `./${path}`;
}

test('lint path rules never forbid an import these rules allow, and name the governing rule', async (t) => {
  // Every source file against every possible target: lint (eslint.config.js) must be a subset of
  // RULES, or the editor would report imports this test accepts — and its message must name the
  // rule that governs the file, so both speak of the same thing.
  const eslint = new ESLint({ cwd: root });
  const wrong: string[] = [];
  let checked = 0;
  for (const from of files) {
    const governed = governing(RULES, from);
    if (governed === undefined) continue; // reported by the test above
    const setting = (await eslint.calculateConfigForFile(from))?.rules?.['no-restricted-imports'];
    const patterns: { regex: string; message: string }[] = Array.isArray(setting) && setting[0] !== 0 ? (setting[1]?.patterns ?? []) : [];
    for (const pattern of patterns) {
      checked++;
      if (!pattern.message.startsWith(`"${governed.rule.name}": `)) wrong.push(`${from}: lint message '${pattern.message}' does not name "${governed.rule.name}"`);
      const regex = new RegExp(pattern.regex, 'u');
      for (const to of files) {
        // A type-only import is the most any rule allows: if lint forbids even that, RULES must.
        if (to !== from && regex.test(specifier(from, to)) && permits(governed, { from, to, kind: 'type', line: 0 })) {
          wrong.push(`${from}: lint forbids '${specifier(from, to)}' (${to}), which "${governed.rule.name}" allows`);
        }
      }
    }
  }
  t.true(checked > 0, 'eslint.config.js has no layer patterns');
  t.deepEqual(wrong.slice(0, 20), [], `${wrong.length} inconsistencies between eslint.config.js and RULES`);
});
