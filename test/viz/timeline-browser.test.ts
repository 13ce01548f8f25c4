/**
 * The timeline page in a real browser (headless Chromium): it loads without errors, draws the
 * trace's lanes, puts a crash at the x of its time, zooms, plays back, filters, explains records,
 * highlights causality, keeps the view in the URL, compares runs on one axis, aggregates at scale,
 * exports SVG and PNG, and exports the small drill exactly as the stored reference SVG
 * (`UPDATE_SNAPSHOTS=1` rewrites it after an intended change). One browser for the whole file.
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { writeTimeline } from '../../src/report/timeline.ts';
import { TRACE_FORMAT_VERSION } from '../../src/kernel/trace.ts';
import { browserAvailable, launch, openTimeline, skipReason } from './browser.ts';
import { drillTrace } from './synthetic-trace.ts';
import { writeWorkloadTrace } from './synthetic-workload.ts';

const dir = mkdtempSync(join(tmpdir(), 'viz-test-'));
const files = { drill: join(dir, 'drill.html'), compare: join(dir, 'compare.html'), large: join(dir, 'large.html') };
let browser: Browser;
const SNAPSHOT = join(dirname(fileURLToPath(import.meta.url)), 'snapshots', 'drill-timeline.svg');

const maybe = browserAvailable ? test.serial : test.serial.skip;
if (!browserAvailable) {
  test('browser tests', (t) => {
    t.log(skipReason);
    t.pass();
  });
}

test.before(async () => {
  const drill = join(dir, 'drill.jsonl');
  const longer = join(dir, 'longer.jsonl');
  const large = join(dir, 'large.jsonl');
  await drillTrace().writeTo(drill).finish();
  await drillTrace({ repairAt: 32_000, durationUs: 50_000 }).writeTo(longer).finish();
  await writeWorkloadTrace(large, { records: 40_000 });
  await writeTimeline({ traces: [drill], out: files.drill });
  await writeTimeline({ traces: [drill, longer], out: files.compare });
  await writeTimeline({ traces: [large], out: files.large });
  if (browserAvailable) browser = await launch();
});

test.after.always(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const frame = (page: Page) => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

/** Axis ticks of a run's diagram: simulated time (µs, parsed from the label) and client x. */
function ticks(page: Page, run: number): Promise<Array<{ us: number; x: number }>> {
  return page.$$eval(`section.run[data-run="${run}"] g.axis-top g.tick`, (nodes) =>
    nodes.map((node) => {
      const [, value, unit] = /^([\d.]+)\s*(µs|ms|s|min)?$/.exec(node.textContent ?? '') ?? [];
      const scale: Record<string, number> = { µs: 1, ms: 1e3, s: 1e6, min: 6e7 };
      const box = node.querySelector('line')!.getBoundingClientRect();
      return { us: Number(value) * (scale[unit ?? 'µs'] ?? NaN), x: box.left + box.width / 2 };
    }),
  );
}

maybe('the drill loads without console errors and the screenshot is not blank', async (t) => {
  const { page, errors } = await openTimeline(browser, files.drill);
  const png = (await page.screenshot()).toString('base64');
  const ink = await page.evaluate(async (data) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(image, 0, 0);
    const pixels = ctx.getImageData(0, 0, image.width, image.height).data;
    let inked = 0;
    const colours = new Set<number>();
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i] < 235 || pixels[i + 1] < 235 || pixels[i + 2] < 235) inked++;
      colours.add(((pixels[i] >> 4) << 8) | ((pixels[i + 1] >> 4) << 4) | (pixels[i + 2] >> 4));
    }
    return { fraction: inked / (pixels.length / 4), colours: colours.size };
  }, png);
  t.true(ink.fraction > 0.03, `only ${(ink.fraction * 100).toFixed(1)}% of the screenshot is drawn`);
  t.true(ink.colours > 20);
  t.deepEqual(errors, []);
  await page.close();
});

maybe('the lanes are the trace actors, grouped by site', async (t) => {
  const { page, errors } = await openTimeline(browser, files.drill);
  const lanes = await page.$$eval('.lane-label', (nodes) => nodes.map((n) => n.getAttribute('data-actor')));
  t.deepEqual(lanes, ['producer', 'broker-1', 'broker-2', 'consumer']);
  t.deepEqual(await page.$$eval('.group-label', (nodes) => nodes.map((n) => n.getAttribute('data-site'))), ['edge', 'hpc']);
  t.deepEqual(errors, []);
  await page.close();
});

maybe('a crash is drawn at the x of its time on the axis', async (t) => {
  const { page } = await openTimeline(browser, files.drill);
  for (const span of [null, [8_000, 16_000]] as const) {
    if (span !== null) {
      await page.evaluate(([a, b]) => window.diasporaViz.setWindow(a, b), span);
      await frame(page);
    }
    const axis = await ticks(page, 0);
    t.true(axis.length >= 3);
    const [first, last] = [axis[0], axis[axis.length - 1]];
    const expected = first.x + ((12_000 - first.us) * (last.x - first.x)) / (last.us - first.us);
    const mark = await page.$eval('.crash-mark[data-actor="broker-1"] line', (n) => {
      const box = n.getBoundingClientRect();
      return box.left + box.width / 2;
    });
    t.true(Math.abs(mark - expected) < 1.5, `crash at x=${mark}, axis says ${expected}`);
  }
  await page.close();
});

maybe('the wheel zooms the visible window and the axis follows', async (t) => {
  const { page } = await openTimeline(browser, files.drill);
  const before = await page.evaluate(() => window.diasporaViz.state());
  const labels = await ticks(page, 0);
  const box = (await page.$('section.run .zoom-target'))!;
  const { x, y, width, height } = (await box.boundingBox())!;
  await page.mouse.move(x + width / 2, y + height / 2);
  await page.mouse.wheel(0, -600);
  await page.waitForFunction((span) => window.diasporaViz.state().t1 - window.diasporaViz.state().t0 < span, before.t1 - before.t0);
  await frame(page);
  const after = await page.evaluate(() => window.diasporaViz.state());
  t.true(after.t1 - after.t0 < (before.t1 - before.t0) / 1.5);
  t.true(after.t0 > before.t0 && after.t1 < before.t1, 'zoomed around the pointer, inside the old window');
  t.notDeepEqual(await ticks(page, 0), labels);
  await page.keyboard.press('0');
  await frame(page);
  t.deepEqual(await page.evaluate(() => [window.diasporaViz.state().t0, window.diasporaViz.state().t1]), [0, 40_000]);
  await page.close();
});

maybe('playback advances the playhead, and steps go from record to record and fault to fault', async (t) => {
  const { page, errors } = await openTimeline(browser, files.drill);
  await page.click('#play');
  await page.waitForFunction(() => (window.diasporaViz.state().playhead ?? 0) > 500);
  await page.keyboard.press('Space');
  const paused = await page.evaluate(() => window.diasporaViz.state());
  t.false(paused.playing);
  await page.evaluate(() => window.diasporaViz.update({ playhead: 0 }));
  await page.keyboard.press('ArrowRight');
  t.is(await page.evaluate(() => window.diasporaViz.state().playhead), 1_000, 'first record after 0 is the produce at 1 ms');
  await page.keyboard.press('Shift+ArrowRight');
  t.is(await page.evaluate(() => window.diasporaViz.state().playhead), 12_000, 'next fault: the crash at 12 ms');
  await frame(page);
  t.is(await page.locator('section.run .chart line.playhead').count(), 1);
  t.deepEqual(errors, []);
  await page.close();
});

maybe('the filter hides lanes and records, and says so', async (t) => {
  const { page } = await openTimeline(browser, files.drill);
  await page.fill('#filter', 'site:hpc');
  await page.waitForFunction(() => document.querySelectorAll('.lane-label').length === 3);
  t.deepEqual(await page.evaluate(() => window.diasporaViz.lanes(0)), ['broker-1', 'broker-2', 'consumer']);
  t.regex((await page.textContent('#notice')) ?? '', /hides 1 lane/);
  await page.fill('#filter', '-broker nonsense');
  await page.waitForFunction(() => document.querySelectorAll('.lane-label').length === 2);
  t.regex((await page.textContent('#notice')) ?? '', /No lane, kind or message type matches “nonsense”/);
  await page.close();
});

maybe('hovering shows every field; clicking highlights the causal past and future', async (t) => {
  const { page } = await openTimeline(browser, files.drill);
  const x = await page.evaluate(() => window.diasporaViz.clientX(0, 12_000));
  const lane = (await (await page.$('.lane-label[data-actor="broker-1"]'))!.boundingBox())!;
  await page.mouse.move(x, lane.y + lane.height / 2 - 4);
  await page.waitForSelector('#tooltip:not([hidden])');
  const tip = (await page.textContent('#tooltip')) ?? '';
  for (const field of ['crash', 'broker-1', 'scope', 'process', 'reason', 'node-crash', '12 ms']) t.true(tip.includes(field), `tooltip lacks ${field}: ${tip}`);
  await page.mouse.click(x, lane.y + lane.height / 2 - 4);
  await frame(page);
  t.not(await page.evaluate(() => window.diasporaViz.state().selection), null);
  t.truthy(await page.getAttribute('path.cut.past', 'd'));
  t.truthy(await page.getAttribute('path.cut.future', 'd'));
  await page.keyboard.press('Escape');
  t.is(await page.evaluate(() => window.diasporaViz.state().selection), null);
  await page.close();
});

maybe('the URL hash holds the view and restores it', async (t) => {
  const { page } = await openTimeline(browser, files.drill, { hash: '#t=5000,15000&f=site%3Ahpc&p=9000' });
  const state = await page.evaluate(() => window.diasporaViz.state());
  t.deepEqual([state.t0, state.t1, state.filter, state.playhead], [5_000, 15_000, 'site:hpc', 9_000]);
  t.is(await page.locator('.lane-label').count(), 3);
  await page.evaluate(() => window.diasporaViz.setWindow(1_000, 2_000));
  await page.waitForFunction(() => location.hash.startsWith('#t=1000,2000'));
  await page.close();
  const linked = await openTimeline(browser, files.drill, { hash: '#a=broker-1&n=3' });
  const focus = await linked.page.evaluate(() => window.diasporaViz.state());
  t.not(focus.selection, null, 'a record named as the trace names it is selected');
  // broker-1's record 3 is its first replicate-ack, received at 2.15 ms; the run is 40 ms long.
  t.deepEqual([focus.t0, focus.t1], [2_150 - 400, 2_150 + 400], 'and shown in a window around it');
  await linked.page.close();
});

maybe('two runs share one time axis', async (t) => {
  const { page, errors } = await openTimeline(browser, files.compare);
  t.is(await page.locator('section.run').count(), 2);
  for (const span of [null, [10_000, 30_000]] as const) {
    if (span !== null) {
      await page.evaluate(([a, b]) => window.diasporaViz.setWindow(a, b), span);
      await frame(page);
    }
    const [a, b] = [await ticks(page, 0), await ticks(page, 1)];
    t.deepEqual(a, b);
    const crashes = await page.$$eval('.crash-mark line', (nodes) => nodes.map((n) => Math.round(n.getBoundingClientRect().left)));
    t.is(crashes.length, 2);
    t.is(crashes[0], crashes[1], 'both crashes at 12 ms, one above the other');
  }
  t.is(await page.evaluate(() => window.diasporaViz.state().t1 - window.diasporaViz.state().t0), 20_000);
  t.deepEqual(errors, []);
  await page.close();
});

maybe('a large trace is drawn as density, announced, and in detail once zoomed in', async (t) => {
  const { page, errors } = await openTimeline(browser, files.large);
  t.deepEqual(await page.evaluate(() => window.diasporaViz.modes()), ['density']);
  t.regex((await page.textContent('#notice')) ?? '', /drawn as density bands .* none left out/);
  await page.evaluate(() => window.diasporaViz.setWindow(100_000, 110_000));
  await frame(page);
  t.deepEqual(await page.evaluate(() => window.diasporaViz.modes()), ['detail']);
  t.true(await page.locator('#notice').isHidden());
  t.deepEqual(errors, []);
  await page.close();
});

maybe('the view exports as a standalone SVG and as PNG', async (t) => {
  const { page, errors } = await openTimeline(browser, files.drill);
  const check = await page.evaluate(() => {
    const svg = window.diasporaViz.exportSvg();
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    return { error: doc.querySelector('parsererror')?.textContent ?? null, lanes: doc.querySelectorAll('.lane-label').length, paths: doc.querySelectorAll('path').length, crash: doc.querySelectorAll('.crash-mark').length };
  });
  t.is(check.error, null);
  t.is(check.lanes, 4);
  t.is(check.crash, 1);
  t.true(check.paths > 10);
  const png = await page.evaluate(async () => {
    const blob = await window.diasporaViz.exportPng();
    const image = await createImageBitmap(blob);
    return { type: blob.type, width: image.width, size: blob.size };
  });
  t.is(png.type, 'image/png');
  t.is(png.width, 2 * (await page.evaluate(() => document.getElementById('runs')!.clientWidth)), 'twice the screen resolution');
  t.true(png.size > 20_000);
  t.deepEqual(errors, []);
  await page.close();
});

maybe('the drill exports the same SVG as the stored reference', async (t) => {
  const { page } = await openTimeline(browser, files.drill, { hash: '#t=0,40000&sel=0.30' });
  // The trace's temporary directory is part of the run's label; the reference names it {tmp}.
  const svg = (await page.evaluate(() => window.diasporaViz.exportSvg())).replaceAll(dir, '{tmp}');
  await page.close();
  if (process.env.UPDATE_SNAPSHOTS === '1' || (!existsSync(SNAPSHOT) && process.env.CI === undefined)) {
    mkdirSync(dirname(SNAPSHOT), { recursive: true });
    writeFileSync(SNAPSHOT, svg);
    t.log(`wrote the reference ${SNAPSHOT}; look at it before committing`);
    t.pass();
    return;
  }
  const expected = readFileSync(SNAPSHOT, 'utf8');
  if (svg !== expected) writeFileSync(join(tmpdir(), 'drill-timeline.actual.svg'), svg);
  t.true(svg === expected, `the export differs from ${SNAPSHOT}; the new one is in ${join(tmpdir(), 'drill-timeline.actual.svg')} — if the change is intended, rerun with UPDATE_SNAPSHOTS=1`);
});

maybe('a trace whose meta places no actor, with unknown targets and kinds, still draws', async (t) => {
  const bare = join(dir, 'bare.jsonl');
  const out = join(dir, 'bare.html');
  writeFileSync(bare, [
    { t: 0, k: 'meta', a: 'world', n: 0, v: TRACE_FORMAT_VERSION, scenario: 'hand-written', seed: 1 },
    { t: 5, k: 'send', a: 'x', n: 0, to: 'y', msg: 'hello', bytes: 10 },
    { t: 5, k: 'send', a: 'x', n: 1, to: 'ghost', msg: 'hello', bytes: 10 },
    { t: 5, k: 'drop', a: 'x', n: 2, to: 'ghost', msg: 'hello', s: 1, cause: 'unknown-target' },
    { t: 9, k: 'recv', a: 'y', n: 0, from: 'x', msg: 'hello', s: 0 },
    { t: 12, k: 'mystery', a: 'y', n: 1, nested: { deep: [1, 2] } },
  ].map((r) => JSON.stringify(r)).join('\n'));
  // Written by hand, it has no end record: drawn as far as it goes, with the cut told, not refused.
  const cuts: string[] = [];
  await writeTimeline({ traces: [bare], out, onCut: (message) => cuts.push(message) });
  t.is(cuts.length, 1);
  t.regex(cuts[0]!, /without its end record/);
  const { page, errors } = await openTimeline(browser, out);
  t.deepEqual(await page.evaluate(() => window.diasporaViz.lanes(0)), ['x', 'y']);
  t.deepEqual(await page.$$eval('.group-label', (nodes) => nodes.map((n) => n.getAttribute('data-site'))), ['(unplaced)']);
  t.deepEqual(errors, []);
  await page.close();
});
