/**
 * Timelines that explain why, in headless Chromium, on the drills a teacher would show: the demo's
 * durable frontier and lost suffix (the cause of its loss is the last fsync at 15 s), its lost
 * events outlined and a verdict that zooms to its evidence, and no empty `world` lane; the acks=1
 * drill's replication view, where the lost offsets lie between the old leader's log end and the new
 * leader's; Chandy–Lamport's cuts, one per complete checkpoint crossing every account's lane, its
 * marks' areas ordered as their bytes, its recorded channel state and conserved total at each cut;
 * the uncoordinated domino drill losing work back to the start of the run where its stream-replay
 * twin does not (and replays), the cascade step by step, and the numbers of the two runs side by
 * side. Assertions read the DOM the page draws (`data-*` attributes), never pixels. Each drill is
 * run once by the CLI for every test here, and one browser serves them all.
 *
 * A small synthetic checkpoint drill is exported and compared with the stored reference SVG
 * (`UPDATE_SNAPSHOTS=1` rewrites it after an intended change). `WRITE_SCREENSHOTS=1` also saves
 * each page as a PNG under `docs/` for the README.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { gunzipSync } from 'node:zlib';
import { writeTimeline } from '../../src/report/timeline.ts';
import { browserAvailable, launch, openTimeline, skipReason } from './browser.ts';
import { TraceBuilder } from './synthetic-trace.ts';
import { TraceEncoder } from '../../src/report/timeline/encoder.ts';
import { readTrace } from '../../src/kernel/trace-reader.ts';
import { decodePayload } from '../../viz/wire/codec.ts';
import { buildModel } from '../../viz/model/model.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SNAPSHOT = join(ROOT, 'test', 'viz', 'snapshots', 'checkpoint-timeline.svg');
const dir = mkdtempSync(join(tmpdir(), 'viz-explain-'));
const SCENARIOS = {
  store: 'scenarios/beamline-store.yaml',
  acks1: 'scenarios/drills/log-acks1-leader-crash.yaml',
  domino: 'scenarios/drills/domino-uncoordinated.yaml',
  replay: 'scenarios/drills/domino-stream-replay.yaml',
  bank: 'scenarios/drills/chandy-lamport-bank.yaml',
} as const;
/** The two domino drills stacked on one page, as `diaspora viz A B` draws them. */
const COMPARISON = join(dir, 'domino-compare.html');
type Name = keyof typeof SCENARIOS;
const pageOf = (name: Name | 'synthetic') => join(dir, name, 'timeline.html');
let browser: Browser;

const maybe = browserAvailable ? test.serial : test.serial.skip;
if (!browserAvailable) {
  test('explain browser tests', (t) => {
    t.log(skipReason);
    t.pass();
  });
}

/** Runs a scenario with `--viz` into `dir/<name>`; a failed check (exit 1) is what some drills show. */
async function runWithViz(name: Name): Promise<void> {
  const args = [join(ROOT, 'bin', 'diaspora.mjs'), 'run', join(ROOT, SCENARIOS[name]), '--viz', '-q', '-o', join(dir, name)];
  await promisify(execFile)(process.execPath, args, { cwd: ROOT }).catch((error: { code?: number }) => {
    if (error.code !== 1) throw error;
  });
}

/** Where pngquant is installed, README images are palette PNGs (a third of the size, same look). */
const PNGQUANT = '/usr/bin/pngquant';

async function screenshot(page: Page, file: string): Promise<void> {
  if (process.env.WRITE_SCREENSHOTS === undefined) return;
  const path = join(ROOT, 'docs', file);
  await page.screenshot({ path });
  if (existsSync(PNGQUANT)) await promisify(execFile)(PNGQUANT, ['--force', '--skip-if-larger', '--quality=70-95', '--output', path, path]).catch(() => undefined);
}

/** Two operators, a coordinator, one complete cut, a crash, a restore and a replay — in 40 ms. */
function checkpointDrill(): TraceBuilder {
  const trace = new TraceBuilder({
    scenario: 'viz-checkpoint-drill', seed: 3, durationUs: 40_000,
    actors: [
      { id: 'op-1', node: 'n-1', site: 'hpc' },
      { id: 'op-2', node: 'n-2', site: 'hpc' },
      { id: 'coordinator', node: 'n-3', site: 'hpc' },
    ],
  });
  for (let i = 0; i < 8; i++) trace.message('op-1', 'op-2', 'data', { at: 1_000 + i * 4_000, latency: 1_500 });
  for (let i = 0; i < 5; i++) trace.record(2_500 + i * 4_000, 'op-2', 'state', { event: `op-1:${i}`, digest: `d${i}` });
  trace.message('coordinator', 'op-1', 'checkpoint-barrier', { at: 8_000, latency: 500 });
  trace.message('coordinator', 'op-2', 'checkpoint-barrier', { at: 8_000, latency: 1_200 });
  for (const [op, at, bytes] of [['op-1', 8_500, 4096], ['op-2', 9_200, 16_384]] as const) {
    trace.record(at, op, 'ckpt', { op: 'snapshot', strategy: 'barrier-snapshot', id: 1, cut: 1 });
    trace.record(at, op, 'ckpt', { op: 'begin', strategy: 'barrier-snapshot', id: 1, tier: op === 'op-1' ? 'node-local' : 'site-pfs', kind: 'full', bytes });
    trace.record(at + 1_500, op, 'ckpt', { op: 'saved', strategy: 'barrier-snapshot', id: 1, tier: op === 'op-1' ? 'node-local' : 'site-pfs', kind: 'full', bytes, us: 1_500 });
  }
  trace.record(11_000, 'coordinator', 'ckpt', { op: 'complete', strategy: 'barrier-snapshot', id: 1, participants: 2 });
  trace.record(16_000, 'op-1', 'ckpt', { op: 'begin', strategy: 'barrier-snapshot', id: 2, tier: 'node-local', kind: 'incremental', bytes: 1024 });
  trace.record(17_000, 'op-1', 'ckpt', { op: 'failed', strategy: 'barrier-snapshot', id: 2, tier: 'node-local' });
  trace.crash('op-2', { at: 20_000, until: 24_000, reason: 'node-crash' });
  trace.record(24_500, 'op-2', 'ckpt', { op: 'restore', strategy: 'barrier-snapshot', id: 1, toStart: false, tier: 'site-pfs' });
  // op-2 replays the events it had processed after its snapshot, then goes on with new ones.
  for (let i = 2; i < 5; i++) trace.record(25_000 + i * 300, 'op-2', 'state', { event: `op-1:${i}`, digest: `r${i}` });
  return trace;
}

test.before(async () => {
  if (!browserAvailable) return;
  for (const name of Object.keys(SCENARIOS) as Name[]) await runWithViz(name);
  const viz = [join(ROOT, 'bin', 'diaspora.mjs'), 'viz', join(dir, 'domino'), join(dir, 'replay'), '-o', COMPARISON];
  await promisify(execFile)(process.execPath, viz, { cwd: ROOT });
  mkdirSync(join(dir, 'synthetic'));
  const trace = join(dir, 'synthetic', 'trace.jsonl');
  await checkpointDrill().writeTo(trace).finish();
  await writeTimeline({ traces: [trace], out: pageOf('synthetic'), labels: ['checkpoint-drill.jsonl'] });
  browser = await launch();
});

test.after.always(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

maybe('the demo shows why its data was lost: the durable frontier at the last fsync (15 s) and the lost suffix after it', async (t) => {
  const { page, errors } = await openTimeline(browser, pageOf('store'), { width: 1400, height: 700 });
  const loss = await page.evaluate(() => {
    const g = document.querySelector<SVGGElement>('g.disk-loss')!;
    return {
      actor: g.dataset.actor, t: Number(g.dataset.t), lastFsync: Number(g.dataset.lastFsync), writes: Number(g.dataset.writes),
      label: g.querySelector('text.frontier-label')!.textContent, lost: g.querySelector('text.loss-label')!.textContent,
    };
  });
  t.deepEqual(loss, { actor: 'store', t: 20_000_000, lastFsync: 15_000_000, writes: 50, label: 'durable up to 15 s (last fsync)', lost: '50 lost' });
  const fates = await page.$$eval('rect.write-span', (rects) => rects.map((r) => (r as SVGRectElement).dataset.fate));
  t.true(fates.includes('durable') && fates.includes('lost'));
  const fsyncs = await page.$$eval('path.fsync', (paths) => paths.map((p) => Number((p as SVGPathElement).dataset.issued)));
  t.true(fsyncs.includes(15_000_000), 'the fsync at 15 s is drawn as a bracket of its own');
  t.false((await page.evaluate(() => window.diasporaViz.lanes(0))).includes('world'), 'no empty world lane');
  await screenshot(page, 'timeline-beamline-store.png');
  t.deepEqual(errors, []);
  await page.close();
});

maybe('the acks=1 drill shows at the default zoom who led, how far each replica got, and the offsets only the old leader had', async (t) => {
  const { page, errors } = await openTimeline(browser, pageOf('acks1'), { width: 1400, height: 1110 });
  const view = await page.evaluate(() => {
    const panel = document.querySelector<SVGGElement>('g.replication')!;
    const lost = panel.querySelector<SVGGElement>('g.lost-range')!;
    return {
      partition: panel.dataset.partition,
      replicas: Array.from(panel.querySelectorAll<SVGPathElement>('path.log-end')).map((p) => p.dataset.replica),
      watermark: panel.querySelector('path.high-watermark')!.getAttribute('d')!.length > 0,
      terms: Array.from(panel.querySelectorAll<SVGGElement>('g.leader-term')).map((g) => `${g.dataset.leader}@${g.dataset.epoch}`),
      elections: Array.from(panel.querySelectorAll<SVGGElement>('g.election')).map((g) => g.dataset.leader),
      lost: { from: lost.dataset.from, to: lost.dataset.to, old: lost.dataset.oldLeader, next: lost.dataset.newLeader, truncated: Number(lost.dataset.truncated) > 0 },
      sentence: lost.querySelector('text.lost-label')!.textContent,
      outOfIsr: Array.from(panel.querySelectorAll<SVGRectElement>('rect.isr-member')).filter((r) => r.dataset.replica === 'stream-broker-1').length,
    };
  });
  t.is(view.partition, 'projections/0');
  t.deepEqual(view.replicas, ['stream-broker-1', 'stream-broker-2', 'stream-broker-3']);
  t.true(view.watermark);
  t.deepEqual(view.terms, ['stream-broker-1@0', 'stream-broker-2@1']);
  t.deepEqual(view.elections, ['stream-broker-2']);
  t.deepEqual(view.lost, { from: '8000', to: '10000', old: 'stream-broker-1', next: 'stream-broker-2', truncated: true });
  t.regex(view.sentence ?? '', /offsets 8,000–9,999 were on stream-broker-1 \(old leader\), not on stream-broker-2 — truncated at 15/);
  t.is(view.outOfIsr, 2, 'stream-broker-1 leaves the ISR at the election and rejoins after catching up');
  await screenshot(page, 'timeline-log-acks1.png');
  t.deepEqual(errors, []);
  await page.close();
});

maybe('the domino comparison has numbers on the page: a paired table, and the passing run still shows its waste', async (t) => {
  const { page, errors } = await openTimeline(browser, COMPARISON, { width: 1400, height: 880 });
  const cells = await page.$$eval('table.paired td', (tds) => tds.map((td) => [(td as HTMLElement).dataset.run, (td as HTMLElement).dataset.key, td.textContent] as const));
  const cell = (run: string, key: string) => cells.find(([r, k]) => r === run && k === key)?.[2];
  const numbers = {
    waste: [cell('A', 'recovery.wasteFraction'), cell('B', 'recovery.wasteFraction')],
    lost: [cell('A', 'recovery.lostWorkEvents'), cell('B', 'recovery.lostWorkEvents')],
    toStart: [cell('A', 'recovery.rolledBackToStart'), cell('B', 'recovery.rolledBackToStart')],
    heads: await page.$$eval('.verdict-head', (hs) => hs.map((h) => h.textContent)),
  };
  const steps = await page.$$eval('section.run[data-run="0"] g.cascade-step', (gs) => gs.map((g) => [(g as SVGGElement).dataset.actor, Number((g as SVGGElement).dataset.to)] as const));
  t.true(steps.length >= 3, 'the cascade takes several steps');
  t.deepEqual(steps[0], ['process-2', 0], 'the failed process falls first, to its initial state (its checkpoints were on the crashed node)');
  t.deepEqual(steps[steps.length - 1], ['process-1', 0], 'the last domino: process-1 back to the start');
  t.is(await page.$$eval('section.run[data-run="1"] g.cascade-step', (gs) => gs.length), 0, 'stream replay has no cascade');
  await page.evaluate(() => window.diasporaViz.cascadeStep(2));
  await page.evaluate(() => window.diasporaViz.renderNow());
  t.is(await page.$$eval('g.cascade-step', (gs) => gs.length), 2, 'stepping draws the dominoes one at a time');
  t.regex(await page.$eval('#step', (e) => e.textContent ?? ''), /Rollback step 2 of \d+: process-1's checkpoint at .* an orphan\. So process-1 falls back to its checkpoint at/);
  await page.evaluate((n) => window.diasporaViz.cascadeStep(n), steps.length);
  await page.evaluate(() => window.diasporaViz.renderNow());
  t.deepEqual(numbers.waste, ['43.2%', '5.8%']);
  t.deepEqual(numbers.lost, ['406 events', '20 events']);
  t.deepEqual(numbers.toStart, ['2', '0']);
  t.regex(numbers.heads[0] ?? '', /^Run A: every check passed — yet 43% of its work was wasted/);
  t.is(numbers.heads[1], 'Run B: every check passed');
  // Run B's idle fetches after its sources stop are folded into grey lines, named in the legend's
  // closed line and the status; ticking "idle chatter" draws each of them again.
  t.regex(await page.$eval('#legend-inline', (e) => e.textContent ?? ''), /idle chatter \(folded\)/);
  t.false(await page.$eval('#legend', (e) => (e as HTMLDetailsElement).open), 'the legend is one closed line');
  t.regex(await page.$eval('#status', (e) => e.textContent ?? ''), /run B: .*\(\d[\d,]* idle messages/);
  await screenshot(page, 'timeline-domino-compare.png');
  await page.click('#show-idle');
  await page.evaluate(() => window.diasporaViz.renderNow());
  t.notRegex(await page.$eval('#status', (e) => e.textContent ?? ''), /idle messages/);
  t.deepEqual(errors, []);
  await page.close();
});

maybe('Chandy–Lamport: markers apart from transfers, the recorded channel state on its channel, and money conserved at every cut', async (t) => {
  const { page, errors } = await openTimeline(browser, pageOf('bank'), { width: 1400, height: 660 });
  const totals = await page.$$eval('g.cut-total', (gs) => gs.map((g) => Number((g as SVGGElement).dataset.total)));
  t.true(totals.length >= 10);
  t.true(totals.every((v) => v === 4000), 'balances + in flight = 4000 at each cut');
  t.regex(await page.$eval('svg.conservation-panel .panel-title', (e) => e.textContent ?? ''), /= 4,000 at all \d+ cuts/);
  t.true(await page.$$eval('rect.in-flight', (r) => r.length) > 0, 'some cut recorded money in flight');
  t.true(await page.$$eval('#legend-body .item', (items) => items.some((i) => i.textContent === 'marker')), 'markers have a legend entry of their own');
  // Zoom onto the second cut: its channel state is drawn on the receiving lane.
  await page.evaluate(() => window.diasporaViz.setWindow(4_030_000, 4_100_000));
  await page.evaluate(() => window.diasporaViz.renderNow());
  const channels = await page.$$eval('g.channel-state', (gs) => gs.map((g) => ({ cut: (g as SVGGElement).dataset.cut, from: (g as SVGGElement).dataset.from, to: (g as SVGGElement).dataset.to, n: Number((g as SVGGElement).dataset.messages) })));
  t.true(channels.some((c) => c.cut === '2' && c.to === 'account-1' && c.n > 0), 'in cut 2, account-1 recorded messages in flight to it');
  const labels = await page.$$eval('text.arrow-label', (ts) => ts.map((x) => x.textContent));
  t.true(labels.includes('stream:marker') && labels.includes('stream:data'), 'zoomed in, arrows carry their message type');
  await screenshot(page, 'timeline-chandy-lamport.png');
  t.deepEqual(errors, []);
  await page.close();
});

maybe('Chandy–Lamport as the algorithm: money counted in flight is exactly the channel state drawn, and each cut runs through the capture instants', async (t) => {
  const trace = join(dir, 'bank', 'trace.jsonl');
  const encoder = new TraceEncoder(trace);
  for await (const { record, line } of readTrace(trace)) encoder.add(record, line);
  const model = buildModel(decodePayload(gunzipSync(await encoder.finish())), 'A');
  const { totals, channels } = model.snapshots;
  // In flight = what arrived between a participant's snapshot and its channel's marker, nothing
  // queued before the snapshot: a participant with money in flight has a recorded channel, and back.
  const withMoney = totals.flatMap((c) => c.parts.filter((p) => (p.inFlight ?? 0) > 0).map((p) => `${c.cut}/${p.actor}`)).sort();
  const recorded = [...new Set(channels.filter((c) => c.rows.length > 0).map((c) => `${c.cut}/${c.to}`))].sort();
  t.true(withMoney.length > 0);
  t.deepEqual(withMoney, recorded);
  // The zig-zag cut passes through each participant where it captured its state (when it sent its
  // markers), before its snapshot record, written once every marker had come.
  const cuts = model.recovery.cuts.filter((c) => c.kind === 'cut');
  t.true(cuts.length >= 10);
  for (const c of channels) {
    const cut = cuts.find((x) => x.label.startsWith(`cut ${c.cut} `));
    t.is(cut?.points.find((p) => p.actor === c.to)?.t, c.snapshotAt, `cut ${c.cut} at ${model.data.header.actors[c.to].id}`);
  }
  const { t: times, a, msg, length } = model.data;
  const markerSends = new Set<string>();
  for (let i = 0; i < length; i++) if (msg[i] >= 0 && model.snapshots.markerType[msg[i]] === 1 && model.data.header.strings[model.data.k[i]] === 'send') markerSends.add(`${a[i]}@${times[i]}`);
  t.true(cuts.every((c) => c.points.every((p) => markerSends.has(`${p.actor}@${p.t}`))), 'every cut point is a participant sending its markers');
});

const frame = (p: Page) => p.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

/** The trace's records of kind `ckpt` and op `op`. */
function ckptRecords(name: Name, op: string): Array<Record<string, unknown>> {
  return readFileSync(join(dir, name, 'trace.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"k":"ckpt"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.op === op);
}

maybe('the bank drill draws one cut per complete checkpoint, each crossing every participant lane', async (t) => {
  const { page: p, errors } = await openTimeline(browser, pageOf('bank'));
  const complete = ckptRecords('bank', 'complete').length;
  const cuts = await p.evaluate(() => Array.from(document.querySelectorAll<SVGPathElement>('path.consistent-cut')).map((path) => {
    const numbers = (path.getAttribute('d') ?? '').match(/-?[\d.]+(e-?\d+)?/g)!.map(Number);
    const matrix = path.getScreenCTM()!;
    const ys: number[] = [];
    for (let i = 0; i < numbers.length; i += 2) ys.push(new DOMPoint(numbers[i], numbers[i + 1]).matrixTransform(matrix).y);
    return { actors: path.dataset.actors!.split(','), label: path.dataset.label!, ys };
  }));
  const laneY = await p.$$eval('.lane-label', (nodes) => Object.fromEntries(nodes.map((n) => {
    const box = n.getBoundingClientRect();
    return [n.getAttribute('data-actor'), box.top + box.height / 2];
  })));
  t.true(complete >= 5, `the drill completes ${complete} checkpoints`);
  t.is(cuts.length, complete);
  for (const cut of cuts) {
    t.deepEqual([...cut.actors].sort(), ['account-1', 'account-2', 'account-3', 'account-4'], cut.label);
    // The line runs down each participant's lane: two consecutive vertices on either side of its centre.
    const crosses = (y: number) => cut.ys.some((top, i) => i + 1 < cut.ys.length && top < y && cut.ys[i + 1] > y && cut.ys[i + 1] - top < 50);
    for (const actor of cut.actors) t.true(crosses(laneY[actor]), `${cut.label} does not cross ${actor}'s lane`);
  }
  t.deepEqual(errors, []);
  await p.close();
});

maybe('hovering a cut names it; checkpoint mark areas order as their bytes', async (t) => {
  const { page: p } = await openTimeline(browser, pageOf('bank'));
  // Zoomed in on cut 2, so the cut is apart from the others and the marks are not on top of each other.
  await p.evaluate(() => window.diasporaViz.setWindow(3_900_000, 4_200_000));
  await frame(p);
  const vertex = await p.$eval('path.consistent-cut[data-label^="cut 2 "]', (path) => {
    const [x, y] = (path.getAttribute('d') ?? '').match(/-?[\d.]+/g)!.map(Number);
    const point = new DOMPoint(x, y + 3).matrixTransform((path as SVGPathElement).getScreenCTM()!);
    return { x: point.x, y: point.y };
  });
  await p.mouse.move(vertex.x, vertex.y);
  await p.waitForSelector('#tooltip:not([hidden])');
  t.regex((await p.textContent('#tooltip')) ?? '', /cut 2/);
  const mark = await p.$eval('g.checkpoint[data-actor="account-2"][data-id="2"] path', (n) => {
    const box = n.getBoundingClientRect();
    return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
  });
  await p.mouse.move(mark.x, mark.y);
  await p.waitForFunction(() => /checkpoint 2 of account-2/.test(document.getElementById('tooltip')!.textContent ?? ''));
  const tip = (await p.textContent('#tooltip')) ?? '';
  for (const field of ['saved', 'node-local', 'full', 'KiB', 'write']) t.true(tip.includes(field), `checkpoint tooltip lacks ${field}: ${tip}`);
  await p.evaluate(() => window.diasporaViz.setWindow(0, 30_000_000));
  await frame(p);
  const marks = await p.$$eval('g.checkpoint', (nodes) => nodes.map((n) => {
    const box = n.querySelector('path')!.getBBox();
    return { bytes: Number(n.getAttribute('data-bytes')), area: box.width * box.height };
  }));
  t.is(marks.length, ckptRecords('bank', 'saved').length);
  t.true(new Set(marks.map((m) => m.bytes)).size >= 2, 'the drill writes checkpoints of different sizes');
  const sorted = [...marks].sort((a, b) => a.bytes - b.bytes || a.area - b.area);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    if (b.bytes > a.bytes) t.true(b.area > a.area, `${b.bytes} B drawn no larger than ${a.bytes} B`);
    else t.true(Math.abs(b.area - a.area) < 0.01);
    t.true(Math.abs(b.area / a.area - b.bytes / a.bytes) < 0.02, 'area is proportional to bytes');
  }
  await p.close();
});

maybe('the uncoordinated domino loses work back to the start of the run; stream replay does not, and replays', async (t) => {
  const regions = async (name: 'domino' | 'replay') => {
    const { page: p, errors } = await openTimeline(browser, pageOf(name));
    const found = await p.$$eval('g.region', (nodes) => nodes.map((n) => ({ cls: n.getAttribute('class'), actor: n.getAttribute('data-actor'), from: Number(n.getAttribute('data-from')), to: Number(n.getAttribute('data-to')) })));
    t.deepEqual(errors, []);
    await p.close();
    return found;
  };
  const domino = await regions('domino');
  const lost = domino.filter((r) => r.cls!.includes('lost-region'));
  t.deepEqual(lost.map((r) => r.actor).sort(), ['process-1', 'process-2']);
  for (const r of lost) t.is(r.from, 0, `${r.actor}'s lost work starts at the beginning of the run`);
  t.is(await (async () => {
    const { page: p } = await openTimeline(browser, pageOf('domino'));
    const count = await p.locator('path.recovery-line').count();
    await p.close();
    return count;
  })(), 1, 'the recovery line of the rollback is drawn');
  const replay = await regions('replay');
  const replayLost = replay.filter((r) => r.cls!.includes('lost-region'));
  t.is(replayLost.length, 1);
  t.true(replayLost[0].from > 15_000_000, `process-2 loses only what followed its last checkpoint (from ${replayLost[0].from})`);
  t.is(replayLost[0].to, 20_000_000, 'up to its crash');
  const replays = replay.filter((r) => r.cls!.includes('replay-region'));
  t.is(replays.length, 1);
  t.true(replays[0].from >= 21_000_000 && replays[0].to > replays[0].from);
});

maybe("the demo's lost events are outlined and a verdict zooms to its evidence", async (t) => {
  const { page: p, errors } = await openTimeline(browser, pageOf('store'));
  // 50 lost events: each one's produce and its acknowledgement.
  t.is(await p.locator('line.flagged-arrow').count(), 100);
  await p.evaluate(() => window.diasporaViz.setWindow(0, 1_000_000));
  await frame(p);
  t.is(await p.locator('line.flagged-arrow').count(), 0, 'none in a window before the loss');
  await p.click('#verdicts button.verdict-zoom');
  const zoomed = await p.evaluate(() => window.diasporaViz.state());
  t.true(zoomed.t0 <= 15_007_868 && zoomed.t1 >= 64_100_010, `window ${zoomed.t0}–${zoomed.t1} holds every cited record`);
  await p.click('#verdicts button.evidence >> nth=2');
  const cited = await p.evaluate(() => window.diasporaViz.state());
  t.true(cited.t0 <= 20_000_000 && cited.t1 >= 20_000_000 && cited.t1 - cited.t0 < 5_000_000, 'the disk loss at 20 s, close up');
  t.not(cited.selection, null);
  t.deepEqual(errors, []);
  await p.close();
});

maybe('the checkpoint drill exports the same SVG as the stored reference', async (t) => {
  const { page: p, errors } = await openTimeline(browser, pageOf('synthetic'), { hash: '#t=0,40000' });
  // The page's stylesheet, embedded in every export, is the drill reference's concern; this one
  // compares what is drawn.
  const svg = (await p.evaluate(() => window.diasporaViz.exportSvg())).replace(/<style>[^]*?<\/style>/, '<style/>');
  const counts = await p.evaluate(() => ({
    marks: document.querySelectorAll('g.checkpoint').length,
    failed: document.querySelectorAll('g.checkpoint.failed').length,
    cuts: document.querySelectorAll('path.consistent-cut').length,
    lost: document.querySelectorAll('g.lost-region').length,
    replays: document.querySelectorAll('g.replay-region').length,
  }));
  t.deepEqual(counts, { marks: 3, failed: 1, cuts: 1, lost: 1, replays: 1 });
  t.deepEqual(errors, []);
  await p.close();
  if (process.env.UPDATE_SNAPSHOTS === '1' || (!existsSync(SNAPSHOT) && process.env.CI === undefined)) {
    writeFileSync(SNAPSHOT, svg);
    t.log(`wrote the reference ${SNAPSHOT}; look at it before committing`);
    return;
  }
  const actual = join(tmpdir(), 'checkpoint-timeline.actual.svg');
  if (svg !== readFileSync(SNAPSHOT, 'utf8')) writeFileSync(actual, svg);
  t.true(svg === readFileSync(SNAPSHOT, 'utf8'), `the export differs from ${SNAPSHOT}; the new one is in ${actual} — if the change is intended, rerun with UPDATE_SNAPSHOTS=1`);
});
