import test from 'ava';
import { InputError } from '../../src/kernel/contract/index.ts';
import { loadScenario } from '../../src/scenario/index.ts';
import { FULL, MINIMAL } from './fixtures.ts';

const load = (sets: string[], text = FULL) => loadScenario(text, 'full.yaml', sets);
const failure = (sets: string[], text = FULL): string | undefined => {
  try {
    load(sets, text);
    return undefined;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.message;
  }
};

test('--set changes scalars, counts, policies and lists', (t) => {
  const s = load(['links[0].latency=5ms', 'sites.beamline.nodes=4', 'services.store.flush=never', 'checks=[no-acked-loss]', 'seed=42']);
  t.is(s.links[0]!.latencyUs, 5_000);
  t.deepEqual(s.sites[0]!.nodes, ['beamline-1', 'beamline-2', 'beamline-3', 'beamline-4']);
  t.deepEqual(s.services[0]!.flush, { kind: 'never' });
  t.deepEqual(s.checks, ['no-acked-loss']);
  t.is(s.seed, 42);
});

test('--set creates fields the file left out, and the later of two sets wins', (t) => {
  const s = load(['sites.hpc.lan.latency=1ms', 'sites.hpc.disk.kind=hdd', 'duration=2m', 'duration=90s'], FULL);
  t.is(s.sites[1]!.lan.latencyUs, 1_000);
  t.is(s.sites[1]!.disk.fsyncLatencyUs, 8_000);
  t.is(s.durationUs, 90_000_000);
});

test('--set reads its value as YAML: flow maps and lists, quoted strings', (t) => {
  const s = load([
    'sites.cloud={role: cloud, nodes: 2}',
    'links[1]={between: [hpc, cloud], latency: 20ms}',
    'faults[2]={kind: node-crash, target: cloud-2, at: 1s}',
    'description="a: b"',
  ]);
  t.deepEqual(
    s.sites.map((site) => site.name),
    ['beamline', 'hpc', 'cloud'],
  );
  t.is(s.links[1]!.latencyUs, 20_000);
  t.like(s.faults[2], { kind: 'node-crash', target: 'cloud-2' });
  t.is(s.description, 'a: b');
});

test('--set can add the first item of a list the file omits', (t) => {
  const s = load(['faults[0]={kind: node-crash, target: edge-1, at: 1s, for: 1s}'], MINIMAL);
  t.is(s.faults.length, 1);
});

test('--set does not change the parsed YAML it started from (aliases stay independent)', (t) => {
  const text = 'name: anchors\nduration: 1s\nsites:\n  a: &site { nodes: 2 }\n  b: *site\n';
  const s = loadScenario(text, 'anchors.yaml', ['sites.b.nodes=3']);
  t.deepEqual(s.sites[0]!.nodes, ['a-1', 'a-2']);
  t.deepEqual(s.sites[1]!.nodes, ['b-1', 'b-2', 'b-3']);
});

test('a bad value given by --set cites the --set, not a line', (t) => {
  t.is(failure(['links[0].latency=fast']), '--set links[0].latency=fast links[0].latency: expected a duration like "5ms", got "fast"');
  t.is(failure(['sites.hpc.nodes=0']), '--set sites.hpc.nodes=0 sites.hpc.nodes: must be ≥ 1, got 0');
  t.is(failure(['workload.detector.service=stor']), '--set workload.detector.service=stor workload.detector.service: unknown service "stor"; did you mean "store"?');
  t.is(
    failure(['links[1]={between: [hpc, nowhere], latency: 1ms}']),
    '--set links[1]={between: [hpc, nowhere], latency: 1ms} links[1].between[1]: unknown site "nowhere"; expected one of: beamline, hpc',
  );
});

test('problems from the file come first, then those from --set', (t) => {
  const text = FULL.replace('rate: 10/s', 'rate: lots');
  t.is(
    failure(['links[0].latency=fast'], text),
    [
      'full.yaml:33 workload.detector.rate: expected a rate like "10/s", got "lots"',
      '--set links[0].latency=fast links[0].latency: expected a duration like "5ms", got "fast"',
    ].join('\n'),
  );
});

test('--set on a path the schema does not have is an error, with a suggestion', (t) => {
  t.is(failure(['sites.hpc.lan.lantency=5ms']), '--set sites.hpc.lan.lantency=5ms sites.hpc.lan.lantency: unknown field "lantency"; did you mean "latency"?');
  t.is(failure(['faultz=[]']), '--set faultz=[] faultz: unknown field "faultz"; did you mean "faults"?');
  t.is(failure(['services.store.brokers=3']), '--set services.store.brokers=3 services.store.brokers: unknown field "brokers"; allowed: kind, node, site, flush');
  t.is(failure(['sites.hcp.nodes=4']), '--set sites.hcp.nodes=4 sites: has no entry "hcp"; did you mean "hpc"?');
  t.is(failure(['links[3].latency=1ms']), '--set links[3].latency=1ms links: has 1 item, so there is no links[3]');
  t.is(failure(['duration.unit=s']), '--set duration.unit=s duration: is "60s", so it has no "unit"');
  t.is(failure(['links.latency=1ms']), '--set links.latency=1ms links: is a list; expected an index like links[0], not .latency');
  t.is(failure(['sites[0].nodes=1']), '--set sites[0].nodes=1 sites: is a map of names; expected sites.<name>, not [0]');
});

test('a malformed --set says how to write one', (t) => {
  t.is(failure(['latency']), '--set latency: expected path=value, e.g. links[0].latency=5ms');
  t.is(failure(['=5ms']), '--set =5ms: expected path=value, e.g. links[0].latency=5ms');
  t.is(failure(['links..latency=5ms']), '--set links..latency=5ms: expected a field path like links[0].latency, got "links..latency"');
  t.is(failure(['description=[unclosed']), '--set description=[unclosed: cannot read the value "[unclosed" as YAML (quote it?)');
});

test('every --set problem is reported, in argument order', (t) => {
  t.is(
    failure(['nope=1', 'seed=2', 'links[9]=x']),
    ['--set nope=1 nope: unknown field "nope"; allowed: name, description, seed, duration, quiesce, sites, links, services, workload, faults, checks, nemesis, … (9 more)', '--set links[9]=x links: has 1 item, so there is no links[9]'].join('\n'),
  );
});

test('value problems from several --set are listed in argument order', (t) => {
  t.is(
    failure(['workload.detector.rate=lots', 'links[0].latency=fast']),
    [
      '--set workload.detector.rate=lots workload.detector.rate: expected a rate like "10/s", got "lots"',
      '--set links[0].latency=fast links[0].latency: expected a duration like "5ms", got "fast"',
    ].join('\n'),
  );
});

test('a number in a --set value is quoted as written, not as parsed (1e400 is not "Infinity")', (t) => {
  t.is(failure(['seed=1e400']), '--set seed=1e400 seed: expected a whole number, got 1e400');
  t.is(failure(['seed=9007199254740993']), '--set seed=9007199254740993 seed: must be ≤ 9007199254740991, got 9007199254740993');
  t.regex(failure(['links[0]={between: [beamline, hpc], latency: 2ms, loss: 1e999}']) ?? '', /links\[0\]\.loss: .*got 1e999/);
});

test('a --set of plugins is refused: plug-ins are imported from the file before any set applies, so it would be ignored', (t) => {
  // Red before: `--set plugins=[./x.ts]` ran without the plug-in, silently.
  t.regex(failure(['plugins=[./x.ts]'])!, /--set plugins=\[\.\/x\.ts\] plugins: plug-ins are imported from the scenario file before --set applies; list them under plugins: in the file/);
  t.regex(failure(['plugins[0]=./x.ts'])!, /plugins\[0\]: plug-ins are imported from the scenario file/);
});

// A count YAML reads as an integer but nobody reads as one: 1e6, 0x10, +2, 2.0, -0 (red before: all ran).
test('a whole-number field written other than in digits is refused, in the file and in a --set; other numbers are not judged', (t) => {
  t.is(failure(['sites.beamline.nodes=1e1']), '--set sites.beamline.nodes=1e1 sites.beamline.nodes: a whole number is written in digits: 10, not 1e1');
  t.is(failure(['seed=+7']), '--set seed=+7 seed: a whole number is written in digits: 7, not +7');
  t.regex(failure([], FULL.replace(/^seed: .*$/m, 'seed: 0o7')) ?? '', /^full\.yaml:\d+ seed: a whole number is written in digits: 7, not 0o7$/);
  // Replaced by a later --set: not judged, and the later one wins.
  t.is(load(['sites.beamline.nodes=1e1', 'sites.beamline.nodes=3']).sites[0]!.nodes.length, 3);
  // A size given as a bare number (of bytes) and a probability are quantities, not counts.
  const quantities = load(['workload.detector.size=1e3', 'links[0].loss=1e-3']);
  t.is(quantities.workload[0]!.eventBytes, 1_000);
  t.is(quantities.links[0]!.lossProbability, 0.001);
});
