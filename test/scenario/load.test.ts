import test from 'ava';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/kernel/contract/index.ts';
import { type Scenario, loadScenario, loadScenarioAsync, loadScenarioFile, scenarioSchema } from '../../src/scenario/index.ts';
import { FULL, MINIMAL } from './fixtures.ts';

/** Every disk's page-cache writeback unless the file says otherwise: Linux's defaults, 30 s and 5 s. */
const LINUX_WRITEBACK = { dirtyExpireUs: 30_000_000, dirtyWritebackUs: 5_000_000 };

test('a fully written scenario resolves to integers, names and file order', (t) => {
  const s = loadScenario(FULL, 'full.yaml');
  const expected: Scenario = {
    name: 'beamline-store',
    description: 'Detector frames to an HPC event store',
    seed: 1,
    durationUs: 60_000_000,
    quiesceUs: 10_000_000,
    sites: [
      {
        name: 'beamline',
        role: 'instrument',
        nodes: ['beamline-1', 'beamline-2'],
        lan: { latencyUs: 50, jitterUs: 0, bandwidthBytesPerSec: 1_250_000_000 },
        disk: { kind: 'nvme', fsyncLatencyUs: 20, bandwidthBytesPerSec: 2_000_000_000, ...LINUX_WRITEBACK },
      },
      {
        name: 'hpc',
        role: 'hpc',
        nodes: ['hpc-1', 'hpc-2'],
        lan: { latencyUs: 50, jitterUs: 0, bandwidthBytesPerSec: 1_250_000_000 },
        disk: { kind: 'nvme', fsyncLatencyUs: 20, bandwidthBytesPerSec: 2_000_000_000, ...LINUX_WRITEBACK },
      },
    ],
    nodes: [
      { name: 'beamline-1', site: 'beamline' },
      { name: 'beamline-2', site: 'beamline' },
      { name: 'hpc-1', site: 'hpc' },
      { name: 'hpc-2', site: 'hpc' },
    ],
    links: [{ between: ['beamline', 'hpc'], latencyUs: 2_000, jitterUs: 0, bandwidthBytesPerSec: 1_250_000_000, lossProbability: 0 }],
    services: [{ kind: 'event-store', name: 'store', node: 'hpc-1', site: 'hpc', flush: { kind: 'every-write' } }],
    workload: [
      {
        name: 'detector',
        node: 'beamline-1',
        site: 'beamline',
        service: 'store',
        ratePerSec: 10,
        eventBytes: 8 * 1024 * 1024,
        timeoutUs: 1_000_000,
        retries: 3,
      },
    ],
    faults: [
      { kind: 'node-crash', target: 'hpc-1', atUs: 20_000_000, forUs: 5_000_000, endUs: 25_000_000 },
      {
        kind: 'partition',
        from: ['beamline'],
        to: ['hpc'],
        fromNodes: ['beamline-1', 'beamline-2'],
        toNodes: ['hpc-1', 'hpc-2'],
        direction: 'both',
        atUs: 30_000_000,
        forUs: 10_000_000,
        endUs: 40_000_000,
      },
    ],
    checks: ['no-acked-loss'],
  };
  t.deepEqual(s, expected);
});

test('a minimal scenario gets the documented defaults', (t) => {
  const s = loadScenario(MINIMAL, 'tiny.yaml');
  t.deepEqual(s, {
    name: 'tiny',
    seed: 1,
    durationUs: 60_000_000,
    quiesceUs: 10_000_000,
    sites: [
      {
        name: 'edge',
        role: 'edge',
        nodes: ['edge-1'],
        lan: { latencyUs: 50, jitterUs: 0, bandwidthBytesPerSec: 1_250_000_000 },
        disk: { kind: 'nvme', fsyncLatencyUs: 20, bandwidthBytesPerSec: 2_000_000_000, ...LINUX_WRITEBACK },
      },
    ],
    nodes: [{ name: 'edge-1', site: 'edge' }],
    links: [],
    services: [],
    workload: [],
    faults: [],
    checks: [],
  });
  t.false('description' in s, 'an absent description stays absent rather than undefined');
});

test('producer, link and service defaults', (t) => {
  const s = loadScenario(
    `${MINIMAL}  hpc: { role: hpc, nodes: 3, disk: { kind: hdd, bandwidth: 200MB/s } }
links: [{ between: [edge, hpc], latency: 2ms }]
services: { store: { kind: event-store, site: hpc, flush: 250ms } }
workload: { sensor: { site: edge, service: store, rate: 1/h } }
faults: [{ kind: node-crash, target: hpc-2, at: 10s }, { kind: partition, from: [edge], to: [hpc-3], direction: one-way, at: 5s }]
`,
    'defaults.yaml',
  );
  t.deepEqual(s.links[0], { between: ['edge', 'hpc'], latencyUs: 2_000, jitterUs: 0, bandwidthBytesPerSec: 1_250_000_000, lossProbability: 0 });
  t.deepEqual(s.sites[1]!.disk, { kind: 'hdd', fsyncLatencyUs: 8_000, bandwidthBytesPerSec: 200_000_000, ...LINUX_WRITEBACK }, 'preset latency, overridden bandwidth');
  t.deepEqual(s.services[0], { kind: 'event-store', name: 'store', node: 'hpc-1', site: 'hpc', flush: { kind: 'interval', intervalUs: 250_000 } });
  t.deepEqual(s.workload[0], {
    name: 'sensor',
    node: 'edge-1',
    site: 'edge',
    service: 'store',
    ratePerSec: 1 / 3600,
    eventBytes: 1024,
    timeoutUs: 1_000_000,
    retries: 3,
  });
  t.deepEqual(s.faults[0], { kind: 'node-crash', target: 'hpc-2', atUs: 10_000_000, endUs: 60_000_000 }, 'no `for`: down until the quiesce phase');
  t.deepEqual(s.checks, ['no-acked-loss'], 'with workload producers, the default check is that no acknowledged event is lost');
  t.like(s.faults[1], { kind: 'partition', fromNodes: ['edge-1'], toNodes: ['hpc-3'], direction: 'one-way', endUs: 60_000_000 });
});

test('each disk preset has its documented latency and bandwidth', (t) => {
  const disk = (kind: string) => loadScenario(`${MINIMAL.replace('edge: {}', `edge: { disk: { kind: ${kind} } }`)}`, 'x.yaml').sites[0]!.disk;
  t.deepEqual(disk('nvme'), { kind: 'nvme', fsyncLatencyUs: 20, bandwidthBytesPerSec: 2e9, ...LINUX_WRITEBACK });
  t.deepEqual(disk('ssd'), { kind: 'ssd', fsyncLatencyUs: 100, bandwidthBytesPerSec: 500e6, ...LINUX_WRITEBACK });
  t.deepEqual(disk('hdd'), { kind: 'hdd', fsyncLatencyUs: 8_000, bandwidthBytesPerSec: 150e6, ...LINUX_WRITEBACK });
  t.deepEqual(disk('pfs'), { kind: 'pfs', fsyncLatencyUs: 1_000, bandwidthBytesPerSec: 5e9, ...LINUX_WRITEBACK });
});

test('a disk\'s page cache writes back like Linux\'s: vm.dirty_* names, centiseconds or durations', (t) => {
  const disk = (fields: string) => loadScenario(`${MINIMAL.replace('edge: {}', `edge: { disk: { ${fields} } }`)}`, 'x.yaml').sites[0]!.disk;
  t.like(disk('kind: ssd'), { dirtyExpireUs: 30_000_000, dirtyWritebackUs: 5_000_000 }, 'Linux defaults: 3000 and 500 centiseconds');
  t.like(disk('vm.dirty_expire_centisecs: 1000, vm.dirty_writeback_centisecs: 0'), { dirtyExpireUs: 10_000_000, dirtyWritebackUs: 0 });
  t.like(disk('vm.dirty_expire_centisecs: 2m, vm.dirty_writeback_centisecs: 500ms'), { dirtyExpireUs: 120_000_000, dirtyWritebackUs: 500_000 });
  const error = t.throws(() => disk('vm.dirty_expire_centisecs: soon'));
  t.regex(error!.message, /x\.yaml:4 sites\.edge\.disk\["vm\.dirty_expire_centisecs"\]: expected a duration like "30s" or a number of centiseconds, got "soon"/);
});

test('site order is file order, whatever the names', (t) => {
  const s = loadScenario('name: order\nduration: 1s\nsites:\n  zeta: {}\n  alpha: {}\n  m2: {}\n', 'order.yaml');
  t.deepEqual(
    s.sites.map((site) => site.name),
    ['zeta', 'alpha', 'm2'],
  );
});

test('a resolved scenario survives a JSON round trip unchanged', (t) => {
  const s = loadScenario(FULL, 'full.yaml');
  t.deepEqual(JSON.parse(JSON.stringify(s)), s);
});

test('the schema can be used directly on plain data', (t) => {
  const result = scenarioSchema().safeParse({ name: 'plain', duration: '5s', sites: { a: { nodes: 1 } } });
  t.true(result.success);
  t.is(result.data?.durationUs, 5_000_000);
});

test('YAML anchors and aliases are expanded', (t) => {
  const s = loadScenario('name: anchors\nduration: 1s\nsites:\n  a: &site { nodes: 2 }\n  b: *site\n', 'anchors.yaml');
  t.deepEqual(
    s.nodes.map((node) => node.name),
    ['a-1', 'a-2', 'b-1', 'b-2'],
  );
});

test('plug-ins are looked for under a plugins key however it is spelled, escapes included', async (t) => {
  // A text that does not spell "plugins" is parsed once, by loadScenario: the plug-in pass skips
  // it unless an escape could spell the key. Each spelling here must reach the plug-in loader.
  for (const key of ['plugins', "'plugins'", '"plu\\x67ins"', '"plu\\\n  gins"']) {
    const text = `${MINIMAL}${key}: [./no-such-plugin.ts]\n`;
    await t.throwsAsync(loadScenarioAsync(text, 'p.yaml'), { instanceOf: InputError, message: /^p\.yaml:[56] plugins\[0\]: no such file$/ }, key);
  }
});

test('loadScenarioFile names the file in its messages, and says in words why a file cannot be read', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
  try {
    const file = join(dir, 'x.yaml');
    writeFileSync(file, 'name: x\nduration: soon\nsites: { a: {} }\n');
    const error = t.throws(() => loadScenarioFile(file), { instanceOf: InputError });
    t.is(error?.message, `${file}:2 duration: expected a duration like "5ms", got "soon"`);
    const missing = t.throws(() => loadScenarioFile(join(dir, 'nope.yaml')), { instanceOf: InputError });
    t.is(missing?.message, `${join(dir, 'nope.yaml')}: no such file`);
    const directory = t.throws(() => loadScenarioFile(dir), { instanceOf: InputError });
    t.is(directory?.message, `${dir}: is a directory, not a scenario file`);
    // A link that loops, or whose target is gone, is there to see with `ls`: said so in words, not as
    // an errno code ("cannot be read (ELOOP)") or "no such file".
    const loop = join(dir, 'loop.yaml');
    symlinkSync(loop, loop);
    const looping = t.throws(() => loadScenarioFile(loop), { instanceOf: InputError });
    t.is(looping?.message, `${loop}: a symbolic link that leads nowhere (its target is missing, or the links form a loop)`);
    const dangling = join(dir, 'dangling.yaml');
    symlinkSync(join(dir, 'gone.yaml'), dangling);
    const gone = t.throws(() => loadScenarioFile(dangling), { instanceOf: InputError });
    t.is(gone?.message, `${dangling}: a symbolic link that leads nowhere (its target is missing, or the links form a loop)`);
    const below = t.throws(() => loadScenarioFile(join(file, 'x.yaml')), { instanceOf: InputError });
    t.is(below?.message, `${join(file, 'x.yaml')}: a part of the path is a file, not a directory`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the scenario shipped in scenarios/ loads', (t) => {
  t.notThrows(() => loadScenarioFile('scenarios/beamline-store.yaml'));
});

test('YAML merge keys (<<: *defaults) merge maps as YAML 1.1 does: the map\'s own fields win, --set changes one copy', (t) => {
  const text = 'name: merges\nduration: 1s\nsites:\n  a: &site { role: hpc, nodes: 2 }\n  b:\n    <<: *site\n    nodes: 3\n  c: { <<: [*site, { role: cloud }] }\nlinks:\n  - { between: [a, b], latency: 1ms }\n  - { between: [a, c], latency: 1ms }\n';
  const s = loadScenario(text, 'merges.yaml', ['sites.c.nodes=1']);
  t.deepEqual(
    s.sites.map((site) => [site.name, site.role, site.nodes.length]),
    [['a', 'hpc', 2], ['b', 'hpc', 3], ['c', 'hpc', 1]],
  );
  // A quoted "<<" is a key like any other, so unknown here.
  t.throws(() => loadScenario(text.replace('<<: *site', '"<<": *site'), 'merges.yaml'), { message: /merges\.yaml:6 sites\.b\["<<"\]: unknown field "<<"/ });
});
