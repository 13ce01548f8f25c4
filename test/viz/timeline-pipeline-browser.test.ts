/**
 * The timeline of pipelines and forwarders, in headless Chromium, on real runs through the CLI: a
 * pipeline whose clients acknowledge nothing (`coordinated-slow-site`) gets output throughput and
 * end-to-end latency panels whose values agree with the run's `output` metric; the bank drill,
 * with neither acks nor outputs, gets no client panels; a filter hiding a lane or `-kind:ckpt`
 * hides the bank's checkpoint marks and cuts with it; and the hierarchy's `bridge` forwarder,
 * reading the HPC-local log, has a lag line that rises through the WAN cut and drains after it.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { readTrace } from '../../src/kernel/trace-reader.ts';
import { TraceEncoder } from '../../src/report/timeline/encoder.ts';
import { decodePayload } from '../../viz/wire/codec.ts';
import { browserAvailable, gaugeAt, launch, openTimeline, skipReason } from './browser.ts';

const dir = mkdtempSync(join(tmpdir(), 'viz-pipeline-'));
const SCENARIOS = {
  pipeline: 'scenarios/drills/coordinated-slow-site.yaml',
  bank: 'scenarios/drills/chandy-lamport-bank.yaml',
  hierarchy: 'scenarios/hierarchy-edge-hpc-cloud.yaml',
} as const;
const page = (name: keyof typeof SCENARIOS) => join(dir, name, 'timeline.html');
const SECOND = 1_000_000;
let browser: Browser;

const maybe = browserAvailable ? test.serial : test.serial.skip;
if (!browserAvailable) {
  test('pipeline browser tests', (t) => {
    t.log(skipReason);
    t.pass();
  });
}

test.before(async () => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    const args = ['bin/diaspora.mjs', 'run', scenario, '--viz', '-q', '-o', join(dir, name)];
    // A failing check exits 1 and still writes the run; only a missing timeline is an error here.
    try {
      execFileSync(process.execPath, args, { stdio: 'pipe' });
    } catch (error) {
      if ((error as { status?: number }).status !== 1) throw error;
    }
  }
  if (browserAvailable) browser = await launch();
});

test.after.always(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const frame = (p: Page) => p.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
const panelNames = (p: Page) => p.$$eval('section.run[data-run="0"] g.panel', (nodes) => nodes.map((n) => n.getAttribute('class')!.replace('panel ', '')));

test('the pipeline\'s output series agree with its output metric', async (t) => {
  const encoder = new TraceEncoder('trace');
  for await (const { record, line } of readTrace(join(dir, 'pipeline', 'trace.jsonl'))) encoder.add(record, line);
  const run = decodePayload(gunzipSync(await encoder.finish()));
  const { output } = JSON.parse(readFileSync(join(dir, 'pipeline', 'summary.json'), 'utf8')).metrics as { output: { outputs: number; duplicates: number; latencyUs: { count: number; max: number } } };
  t.is(run.header.seriesSource, 'outputs');
  t.true(output.outputs > 1000, `${output.outputs} outputs`);
  t.is(run.acks.v.reduce((a, b) => a + b, 0), output.outputs);
  t.is(run.errors.v.reduce((a, b) => a + b, 0), output.duplicates);
  t.is(run.latency.t.length, output.latencyUs.count);
  // The metric's histogram keeps about three significant digits; the series is exact.
  const max = Math.max(...run.latency.v);
  t.true(Math.abs(max - output.latencyUs.max) <= output.latencyUs.max / 100, `series max ${max}, metric max ${output.latencyUs.max}`);
});

maybe('a pipeline run draws outputs per second and birth → output latency', async (t) => {
  const { page: p, errors } = await openTimeline(browser, page('pipeline'), { height: 1400 });
  t.deepEqual((await panelNames(p)).slice(0, 2), ['throughput', 'latency']);
  t.regex(await p.$eval('g.panel.throughput .panel-title', (n) => n.textContent ?? ''), /^Pipeline outputs per second/);
  t.regex(await p.$eval('g.panel.latency .panel-title', (n) => n.textContent ?? ''), /event birth → first output/);
  t.is(await p.$$eval('g.panel .panel-empty', (n) => n.length), 0);
  const bars = await p.$$eval('g.panel.throughput g.series path', (nodes) => nodes.map((n) => (n.getAttribute('d') ?? '').split('Z').length - 1));
  t.true(bars[0] > 20, `${bars[0]} buckets with outputs`);
  // The latency axis reaches the run's largest latency (32 s, from its summary), not an empty 0–1.
  const ticks = await p.$$eval('g.panel.latency g.y-axis .tick text', (nodes) => nodes.map((n) => n.textContent ?? ''));
  t.true(ticks.some((tick) => /^[3-4]\d(\.\d+)? ?s$/.test(tick)), `latency ticks ${ticks.join(', ')}`);
  t.deepEqual(errors, []);
  await p.close();
});

maybe('a run with neither client acks nor outputs has no client panels', async (t) => {
  const { page: p, errors } = await openTimeline(browser, page('bank'));
  const names = await panelNames(p);
  t.false(names.includes('throughput') || names.includes('latency'), names.join(', '));
  t.is(await p.$$eval('.panel-empty', (n) => n.length), 0);
  t.deepEqual(errors, []);
  await p.close();
});

maybe('hiding a lane hides its checkpoint marks and shortens the cuts; -kind:ckpt hides them all', async (t) => {
  const { page: p, errors } = await openTimeline(browser, page('bank'));
  const marks = () => p.$$eval('g.checkpoint', (nodes) => nodes.map((n) => n.getAttribute('data-actor')));
  const cutVertices = () => p.$$eval('path.consistent-cut', (nodes) => nodes.map((n) => (n.getAttribute('d') ?? '').match(/[ML]/g)!.length));
  const before = await marks();
  const cuts = await cutVertices();
  t.true(before.filter((a) => a === 'account-1').length > 0);
  t.true(cuts.length > 0 && cuts.every((v) => v === 8), `vertices per cut ${cuts.join(',')}`);
  await p.fill('#filter', '-actor:account-1');
  await p.waitForFunction(() => !window.diasporaViz.lanes(0).includes('account-1'));
  await frame(p);
  const after = await marks();
  t.is(after.filter((a) => a === 'account-1').length, 0);
  t.is(after.length, before.filter((a) => a !== 'account-1').length);
  // Each cut still crosses the three visible accounts, two vertices each.
  t.deepEqual(await cutVertices(), cuts.map(() => 6));
  await p.fill('#filter', '-kind:ckpt');
  await p.waitForFunction(() => window.diasporaViz.state().filter === '-kind:ckpt');
  await frame(p);
  t.is((await marks()).length, 0);
  t.is((await cutVertices()).length, 0);
  await p.fill('#filter', '');
  await p.waitForFunction(() => window.diasporaViz.state().filter === '');
  await frame(p);
  t.is((await marks()).length, before.length);
  t.deepEqual(errors, []);
  await p.close();
});

maybe('the bridge forwarder has a lag line that rises through the WAN cut and drains after it', async (t) => {
  const { page: p, errors } = await openTimeline(browser, page('hierarchy'), { height: 1600 });
  const series = await p.$$eval('g.panel.lag path.gauge', (nodes) => nodes.map((n) => n.getAttribute('data-series')));
  t.true(series.includes('bridge · local frames/0'), series.join(', '));
  const lag = (t: number) => gaugeAt(p, 'lag', 'bridge · local frames/0', t);
  // The HPC → cloud link is cut from 30 s to 45 s: the bridge plans nothing while its batches wait.
  const before = (await lag(25 * SECOND))!;
  const during = (await lag(44 * SECOND))!;
  const after = (await lag(90 * SECOND))!;
  t.true(before <= 50, `lag before the cut ${before}`);
  t.true(during > 500, `lag late in the cut ${during}`);
  t.true(after <= 50, `lag once drained ${after}`);
  t.deepEqual(errors, []);
  await p.close();
});
