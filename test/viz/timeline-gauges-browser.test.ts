/**
 * The gauge panels (consumer lag, in-sync replicas, edge buffer fill), fault label layout and
 * off-screen markers in headless Chromium. Values are read back from the drawn SVG: a gauge's step
 * path at the x of a time, through the plot's y domain (`data-top`, `data-height`). Two real drills
 * are run through the CLI (`log-min-isr-1`, and `forward-field-station` cut short to 2.5 h).
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { writeTimeline } from '../../src/report/timeline.ts';
import { browserAvailable, gaugeAt, launch, openTimeline, skipReason } from './browser.ts';
import { GAUGE_TIMES, MS, gaugeTrace } from './gauge-trace.ts';
import { drillTrace } from './synthetic-trace.ts';

const dir = mkdtempSync(join(tmpdir(), 'viz-gauges-'));
const files = { gauges: join(dir, 'gauges.html'), drill: join(dir, 'drill.html'), minIsr: join(dir, 'min-isr', 'timeline.html'), station: join(dir, 'station', 'timeline.html') };
let browser: Browser;
const SECOND = 1_000_000;
const HOUR = 3_600 * SECOND;

const maybe = browserAvailable ? test.serial : test.serial.skip;
if (!browserAvailable) {
  test('browser tests', (t) => {
    t.log(skipReason);
    t.pass();
  });
}

/** Runs a scenario as a user would, writing its timeline into `out`. */
function runScenario(scenario: string, out: string, sets: string[] = []): void {
  const args = ['bin/diaspora.mjs', 'run', scenario, '--viz', '-q', '-o', out, ...sets.flatMap((s) => ['--set', s])];
  // A failing check exits 1 and still writes the run; only a missing timeline is an error here.
  try {
    execFileSync(process.execPath, args, { stdio: 'pipe' });
  } catch (error) {
    if ((error as { status?: number }).status !== 1) throw error;
  }
}

test.before(async () => {
  const gauges = join(dir, 'gauges.jsonl');
  const drill = join(dir, 'drill.jsonl');
  await gaugeTrace().writeTo(gauges).finish();
  await drillTrace().writeTo(drill).finish();
  await writeTimeline({ traces: [gauges], out: files.gauges });
  await writeTimeline({ traces: [drill], out: files.drill });
  if (!browserAvailable) return;
  runScenario('scenarios/drills/log-min-isr-1.yaml', join(dir, 'min-isr'));
  runScenario('scenarios/drills/forward-field-station.yaml', join(dir, 'station'), ['duration=2h30m', 'quiesce=30s']);
  browser = await launch();
});

test.after.always(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const frame = (page: Page) => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

const panelNames = (page: Page) => page.$$eval('section.run[data-run="0"] g.panel', (nodes) => nodes.map((n) => n.getAttribute('class')!.replace('panel ', '')));

maybe('the gauge panels appear for a trace with the data and not otherwise', async (t) => {
  const { page, errors } = await openTimeline(browser, files.gauges);
  // Its clients acknowledge nothing and it has no pipeline outputs, so it has no client panels.
  t.deepEqual(await panelNames(page), ['lag', 'isr', 'buffer']);
  t.deepEqual(await page.$$eval('g.panel.buffer path.gauge', (nodes) => nodes.map((n) => n.getAttribute('data-series'))), ['uplink', 'uplink spilled']);
  t.regex(await page.$eval('g.panel.lag .panel-title title', (n) => n.textContent ?? ''), /high watermark .* minus the offset the group last committed/);
  // A bare trace says nothing of min.insync.replicas, so none is marked.
  t.is(await page.$$eval('g.panel.isr line.gauge-limit', (nodes) => nodes.length), 0);
  // The fault bands are repeated on every gauge panel.
  t.is(await page.$$eval('g.panel.isr g.bands g.fault', (nodes) => nodes.length), 3);
  t.deepEqual(errors, []);
  await page.close();
  const plain = await openTimeline(browser, files.drill);
  t.deepEqual(await panelNames(plain.page), ['throughput', 'latency']);
  await plain.page.close();
});

maybe('consumer lag rises while the consumer is down and falls after it returns', async (t) => {
  const { page } = await openTimeline(browser, files.gauges);
  const lag = (ms: number) => gaugeAt(page, 'lag', 'reconstruct · projections/0', ms * MS);
  const before = (await lag(GAUGE_TIMES.consumerDownAt / MS - 20))!;
  const during = (await lag(GAUGE_TIMES.consumerUpAt / MS - 20))!;
  const after = (await lag(GAUGE_TIMES.consumerUpAt / MS + 150))!;
  t.true(before <= 60, `lag before the outage ${before}`);
  t.true(during > 500, `lag late in the outage ${during}`);
  t.true(after <= 60, `lag after the consumer returned ${after}`);
  // Hovering the panel reads the levels out: 1.19 s is 640 events after the last commit (550).
  const frameBox = (await (await page.$('g.panel.lag rect.panel-frame'))!.boundingBox())!;
  await page.mouse.move(await page.evaluate((t) => window.diasporaViz.clientX(0, t), 1_190 * MS + 500), frameBox.y + frameBox.height / 2);
  t.regex(await page.$eval('#tooltip', (n) => n.textContent ?? ''), /reconstruct · projections\/0\s*640\b/);
  // Zoomed into the outage, the same values come back (the panels share the window).
  await page.evaluate(([a, b]) => window.diasporaViz.setWindow(a, b), [1_000 * MS, 1_300 * MS]);
  await frame(page);
  t.true(Math.abs((await lag(GAUGE_TIMES.consumerUpAt / MS - 20))! - during) < 15);
  await page.close();
});

maybe('in log-min-isr-1 the ISR drops from 3 to 1 and stays 1 through the leader\'s crash', async (t) => {
  const { page, errors } = await openTimeline(browser, files.minIsr);
  const isr = (t: number) => gaugeAt(page, 'isr', 'projections/0', t);
  t.is(await isr(5 * SECOND), 3);
  // Isolated from 6 s, the leader shrinks the ISR to itself; it crashes at 9.5 s and returns at 11.5 s.
  t.is(await isr(9 * SECOND), 1);
  t.is(await isr(11 * SECOND), 1);
  t.is(await isr(14 * SECOND), 3);
  // min.insync.replicas=1, from the run's resolved scenario, is marked.
  const limits = await page.$$eval('g.panel.isr line.gauge-limit', (nodes) => nodes.map((n) => Number(n.getAttribute('y1'))));
  const [top, height] = await page.$eval('g.panel.isr g.series', (n) => [Number(n.getAttribute('data-top')), Number(n.getAttribute('data-height'))]);
  t.deepEqual(limits.map((y) => Math.round((top * (height - y)) / height)), [1]);
  t.deepEqual(errors, []);
  await page.close();
});

maybe('in forward-field-station the edge buffer fills while the uplink window is closed', async (t) => {
  const { page, errors } = await openTimeline(browser, files.station);
  const fill = (t: number) => gaugeAt(page, 'buffer', 'uplink', t);
  const open = (await fill(1.5 * HOUR))!;
  const closed = (await fill(2.45 * HOUR))!;
  // 6 readings a minute of 64 KiB for ~25 minutes: about 9 MiB.
  t.true(open < 1 << 20, `fill in the window ${open}`);
  t.true(closed > open + (5 << 20), `fill after the window closed ${closed}`);
  t.deepEqual(errors, []);
  await page.close();
});

/** Boxes of the fault labels that are drawn, in client pixels. */
const labelBoxes = (page: Page) => page.$$eval('section.run[data-run="0"] text.fault-label', (nodes) =>
  nodes.filter((n) => n.getAttribute('display') !== 'none').map((n) => {
    const { left, right, top, bottom } = n.getBoundingClientRect();
    return { left, right, top, bottom, text: n.textContent ?? '' };
  }));

maybe('fault labels of three faults within a second do not overlap, at any width', async (t) => {
  for (const width of [1400, 900, 600]) {
    const { page } = await openTimeline(browser, files.gauges, { width });
    const boxes = await labelBoxes(page);
    t.true(boxes.length >= 2, `${boxes.length} labels drawn at width ${width}`);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const disjoint = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        t.true(disjoint, `at width ${width}: "${a.text}" overlaps "${b.text}"`);
      }
    }
    // Each label, cut or not, keeps its full text in its tooltip.
    t.is(await page.$$eval('text.fault-label title', (n) => n.filter((e) => /^(partition cut|node-crash)/.test(e.textContent ?? '')).length), 3);
    await page.close();
  }
});

maybe('off-screen faults and causal marks are counted at the lane edge, and a click pans there', async (t) => {
  const { page } = await openTimeline(browser, files.gauges);
  await page.evaluate(([a, b]) => window.diasporaViz.setWindow(a, b), [1_700 * MS, 1_900 * MS]);
  await frame(page);
  const marker = 'g.offscreen[data-side="left"][data-actor="broker-2"]';
  // The partition (of both sites) and broker-2's own crash lie to its left.
  t.is(await page.$eval(`${marker}`, (n) => n.getAttribute('data-count')), '2');
  t.is(await page.$$eval('g.offscreen[data-side="right"]', (n) => n.length), 0);
  await page.click(marker);
  await frame(page);
  const state = await page.evaluate(() => window.diasporaViz.state());
  t.true(state.t0 < GAUGE_TIMES.followerUpAt && GAUGE_TIMES.followerUpAt < state.t1, `window ${state.t0}–${state.t1}`);
  t.is(Math.round(state.t1 - state.t0), 200 * MS);
  await page.close();
  // The uplink's last record selected, an early window: the selection and the cut lie to the right.
  const selected = await openTimeline(browser, files.gauges, { hash: '#a=uplink&n=198' });
  const count = (side: string) => selected.page.$eval(`g.offscreen[data-side="${side}"][data-actor="uplink"]`, (n) => n.getAttribute('data-count'));
  await selected.page.evaluate(([a, b]) => window.diasporaViz.setWindow(a, b), [0, 100 * MS]);
  await frame(selected.page);
  t.is(await count('right'), '2');
  t.regex(await selected.page.$eval('g.offscreen[data-side="right"][data-actor="uplink"] title', (n) => n.textContent ?? ''), /^2 off screen to the right: fault cut \(partition\) at 400 ms; the selected record at 1\.99/);
  t.deepEqual(selected.errors, []);
  await selected.page.close();
});
