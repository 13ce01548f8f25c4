/**
 * Checkpoints, snapshot cuts, rollback regions and verdicts on the timeline, in headless Chromium,
 * on the drills that show them: the bank's Chandy–Lamport cuts cross every account's lane, one per
 * complete checkpoint, and its marks' areas order as their bytes; the uncoordinated domino drill
 * loses work back to the start of the run, its stream-replay twin does not (and replays); the
 * beamline-store demo's lost events are outlined and its verdict zooms to the evidence. A small
 * synthetic checkpoint drill is exported and compared with the stored reference SVG
 * (`UPDATE_SNAPSHOTS=1` rewrites it after an intended change).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { writeTimeline } from '../../src/report/timeline.ts';
import { browserAvailable, launch, openTimeline, skipReason } from './browser.ts';
import { TraceBuilder } from './synthetic-trace.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SNAPSHOT = join(ROOT, 'test', 'viz', 'snapshots', 'checkpoint-timeline.svg');
const dir = mkdtempSync(join(tmpdir(), 'viz-recovery-'));
const SCENARIOS = {
  bank: 'scenarios/drills/chandy-lamport-bank.yaml',
  domino: 'scenarios/drills/domino-uncoordinated.yaml',
  replay: 'scenarios/drills/domino-stream-replay.yaml',
  store: 'scenarios/beamline-store.yaml',
} as const;
const page = (name: keyof typeof SCENARIOS | 'synthetic') => join(dir, name, 'timeline.html');
let browser: Browser;

const maybe = browserAvailable ? test.serial : test.serial.skip;
if (!browserAvailable) {
  test('recovery browser tests', (t) => {
    t.log(skipReason);
    t.pass();
  });
}

/** Runs a scenario with `--viz` into `dir/<name>`; a failed check (exit 1) is expected of the demo. */
async function runWithViz(name: keyof typeof SCENARIOS): Promise<void> {
  const args = [join(ROOT, 'bin', 'diaspora.mjs'), 'run', join(ROOT, SCENARIOS[name]), '--viz', '-q', '-o', join(dir, name)];
  await promisify(execFile)(process.execPath, args, { cwd: ROOT }).catch((error: { code?: number }) => {
    if (error.code !== 1) throw error;
  });
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
  await Promise.all((Object.keys(SCENARIOS) as Array<keyof typeof SCENARIOS>).map(runWithViz));
  mkdirSync(join(dir, 'synthetic'));
  const trace = join(dir, 'synthetic', 'trace.jsonl');
  await checkpointDrill().writeTo(trace).finish();
  await writeTimeline({ traces: [trace], out: page('synthetic'), labels: ['checkpoint-drill.jsonl'] });
  if (browserAvailable) browser = await launch();
});

test.after.always(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const frame = (p: Page) => p.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

/** The trace's records of kind `ckpt` and op `op`. */
function ckptRecords(name: keyof typeof SCENARIOS, op: string): Array<Record<string, unknown>> {
  return readFileSync(join(dir, name, 'trace.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"k":"ckpt"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.op === op);
}

maybe('the bank drill draws one cut per complete checkpoint, each crossing every participant lane', async (t) => {
  const { page: p, errors } = await openTimeline(browser, page('bank'));
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
  const { page: p } = await openTimeline(browser, page('bank'));
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
    const { page: p, errors } = await openTimeline(browser, page(name));
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
    const { page: p } = await openTimeline(browser, page('domino'));
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
  const { page: p, errors } = await openTimeline(browser, page('store'));
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
  const { page: p, errors } = await openTimeline(browser, page('synthetic'), { hash: '#t=0,40000' });
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
