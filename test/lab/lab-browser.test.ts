/**
 * The lab in Chromium: the page's own run (in its Web Worker) has the CLI's trace hash for the
 * same scenario and seed; the "done when" — pause before the crash, cut the leader off by
 * hand, step to the crash, inspect the new leader, download the scenario — and `diaspora run` on
 * the downloaded file gives the hash the page showed. The page is the static export, opened from
 * disk (what `diaspora lab` serves is the same page).
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { execute } from '../../src/exec/run.ts';
import { TraceWriter } from '../../src/kernel/index.ts';
import { catalog } from '../../src/lab/catalog.ts';
import { labPage } from '../../src/lab/page.ts';
import { loadScenario, prepareRun } from '../../src/scenario/index.ts';
import { browserAvailable, launch, skipReason } from '../viz/browser.ts';

/** What the lab page exposes (viz/lab/app.ts `expose`). */
interface LabApi {
  ready: boolean;
  summary(): unknown;
  summaryB(): unknown;
  status(): unknown;
  scenarioText(): string;
  faults(): unknown[];
  idle(): Promise<void>;
}

declare global {
  interface Window {
    diasporaLab: LabApi;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'lab-browser-'));
const pageFile = join(dir, 'index.html');
let browser: Browser | undefined;

test.before(async () => {
  if (!browserAvailable) return;
  writeFileSync(pageFile, await labPage(catalog(), 'test'));
  browser = await launch();
});
test.after.always(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

function cliHash(text: string, file: string, seed: number, sets: string[] = []): string {
  return execute(prepareRun(loadScenario(text, file, sets), { seed, trace: new TraceWriter() })).traceHash;
}

/** A fixed date for the page's fake clock; nothing the lab draws depends on which. */
const CLOCK_START_MS = Date.UTC(2026, 0, 1);

/**
 * `clock`: the page's clock is the test's and stands still from the page's first script on, moving
 * only by the test's `page.clock.runFor`: a loaded machine cannot make a stretch of the run longer.
 * Playwright's `clock.install()` alone leaves the fake clock flowing with the wall clock (the
 * fresh-clone CI of 0bc0224 had a starved page ask for the whole run in one stretch, and a pause
 * sent after the page had loaded could find its target already in the past, as in 8961237's CI).
 * Both calls are made on the blank page, before `goto`, and replayed in that order when the lab
 * loads: installed at the fixed date, then paused a day later. The day is only the blank page's
 * margin (its clock flows between the two calls and it has no timers to fire); the lab starts
 * paused at that later date.
 */
async function open(hash: string, options: { clock?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  if (options.clock === true) {
    await page.clock.install({ time: CLOCK_START_MS });
    await page.clock.pauseAt(CLOCK_START_MS + 86_400_000);
  }
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  await page.goto(pathToFileURL(pageFile).href + hash);
  await page.waitForFunction(() => window.diasporaLab?.ready === true);
  return { page, errors };
}

const idle = (page: Page) => page.evaluate(() => window.diasporaLab.idle());

/** `replicated`: the partitions whose replication panel the timeline page draws for this run (a leader change). */
const drills = [
  { name: 'log-acks1-leader-crash', file: 'scenarios/drills/log-acks1-leader-crash.yaml', seed: 1, replicated: ['projections/0'] },
  { name: 'domino-uncoordinated', file: 'scenarios/drills/domino-uncoordinated.yaml', seed: 4, replicated: [] },
];

for (const drill of drills) {
  test(`#scenario=${drill.name}&seed=${drill.seed}&run: the page's trace hash is the CLI's`, async (t) => {
    if (!browserAvailable) return t.pass(skipReason);
    const { page, errors } = await open(`#scenario=${drill.name}&seed=${drill.seed}&run`);
    await page.waitForFunction(() => window.diasporaLab.summary() !== null, undefined, { timeout: 300_000 });
    const summary = (await page.evaluate(() => window.diasporaLab.summary())) as { traceHash: string; seed: number; checks: object };
    t.is(summary.seed, drill.seed);
    t.is(summary.traceHash, cliHash(readFileSync(drill.file, 'utf8'), drill.file, drill.seed));
    t.truthy(summary.checks);
    // The replication panels under the diagram, as the timeline page draws them: the leader band
    // with the election, and for acks=1 the offsets only the old leader had.
    await idle(page);
    const panels = await page.$$eval('#runs svg.replication-panels g.replication', (gs) =>
      gs.map((g) => ({ key: g.getAttribute('data-partition'), terms: g.querySelectorAll('g.leader-term').length, lost: g.querySelectorAll('g.lost-range').length })));
    t.deepEqual(panels.map((p) => p.key), drill.replicated);
    for (const p of panels) t.true(p.terms >= 2 && p.lost >= 1, JSON.stringify(p));
    if (process.env.LAB_SCREENSHOT_DIR !== undefined && panels.length > 0) {
      await page.screenshot({ path: join(process.env.LAB_SCREENSHOT_DIR, `lab-${drill.name}.png`), fullPage: true });
    }
    t.deepEqual(errors, []);
    await page.close();
  });
}

test('done when: pause before the crash, cut the leader off by hand, step to the crash, inspect, download, reproduce', async (t) => {
  if (!browserAvailable) return t.pass(skipReason);
  // Pick the drill from the catalog, as a student does.
  const { page, errors } = await open('');
  await page.click('#catalog button[data-name="log-acks1-leader-crash"]');
  await idle(page);
  // Pause before the crash (10 s), after the scripted cut (8 s).
  await page.fill('#to-time', '9s');
  await page.click('#go');
  await idle(page);
  t.is(((await page.evaluate(() => window.diasporaLab.status())) as { nowUs: number }).nowUs, 9_000_000);
  // Cut the leader's node off from the detector's site by hand: the page replays with it to 9 s + 1 µs.
  await page.selectOption('#cut-from', 'hpc-1');
  await page.selectOption('#cut-to', 'beamline');
  await page.click('#cut');
  await page.waitForFunction(() => window.diasporaLab.faults().length === 1);
  await idle(page);
  const text = await page.evaluate(() => window.diasporaLab.scenarioText());
  t.regex(text, /- \{ kind: partition, from: \[ hpc-1 \], to: \[ beamline \], at: 9s1us \} # injected by hand in the lab/);
  // Step to the next fault: the leader's crash at 10 s.
  await page.click('#next-fault');
  await idle(page);
  const last = ((await page.evaluate(() => window.diasporaLab.status())) as { last: { t: number } }).last;
  t.is(last.t, 10_000_000);
  // Run to the end: the loss appears; inspect the new leader.
  await page.click('#run');
  await page.waitForFunction(() => window.diasporaLab.summary() !== null, undefined, { timeout: 300_000 });
  const summary = (await page.evaluate(() => window.diasporaLab.summary())) as { traceHash: string; ok: boolean };
  t.false(summary.ok, 'acknowledged events are lost');
  // The loss points at its evidence: the Checks pane's button rings the cited records on the diagram.
  t.is(await page.inputValue('#cut-from'), 'hpc-1', 'the partition ends chosen stay chosen after the replay');
  await page.click('#checks-body button.evidence');
  t.true(await page.locator('#runs circle.evidence').count() >= 1);
  await page.selectOption('#actor', 'stream-broker-2');
  await page.waitForSelector('#inspect-body h3');
  t.regex(await page.textContent('#inspect-body') ?? '', /stream-broker-2 on hpc-2/);
  // Download the scenario and reproduce the run from the CLI.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const saved = join(dir, download.suggestedFilename());
  await download.saveAs(saved);
  t.is(readFileSync(saved, 'utf8'), text);
  t.is(cliHash(readFileSync(saved, 'utf8'), saved, 1), summary.traceHash);
  t.deepEqual(errors, []);
  await page.close();
});

test("what if: the form from the JSON Schema shows the scenario's values; the lesson's change in it, run B stacked below has the CLI's hash for that --set", async (t) => {
  if (!browserAvailable) return t.pass(skipReason);
  const drill = drills[0]!;
  const { page, errors } = await open(`#scenario=${drill.name}&seed=${drill.seed}`);
  await idle(page);
  const field = (path: string) => page.locator(`#what-if-form .field[data-path='${path}']`).locator('input, select');
  // The scenario's own values, typed: a choice for acks, a number for min.insync.replicas, a duration.
  t.is(await field('workload.detector.acks').inputValue(), '1');
  t.deepEqual(await field('workload.detector.acks').locator('option').allTextContents(), ['all', '-1', '0', '1']);
  t.is(await field('services.stream["min.insync.replicas"]').getAttribute('type'), 'number');
  t.is(await field('services.stream["min.insync.replicas"]').inputValue(), '2');
  t.regex(await page.locator(`#what-if-form .field[data-path='faults[1].for']`).textContent() ?? '', /duration/);
  // The lesson's suggestion fills the form; the user could equally choose it.
  await page.click('#what-if-suggested button[data-set="workload.detector.acks=all"]');
  t.is(await field('workload.detector.acks').inputValue(), 'all');
  t.is(await page.textContent('#what-if-changes'), 'Changes: workload.detector.acks=all');
  await page.click('#what-if-run');
  await page.waitForFunction(() => window.diasporaLab.summaryB() !== null, undefined, { timeout: 300_000 });
  const b = (await page.evaluate(() => window.diasporaLab.summaryB())) as { traceHash: string; ok: boolean; seed: number };
  t.is(b.seed, drill.seed);
  t.is(b.traceHash, cliHash(readFileSync(drill.file, 'utf8'), drill.file, drill.seed, ['workload.detector.acks=all']));
  t.true(b.ok, 'with acks=all nothing acknowledged is lost');
  t.is(await page.locator('#runs-b section.run').count(), 1);
  t.regex(await page.textContent('#what-if-result') ?? '', /--set 'workload\.detector\.acks=all'/);
  // A field found and typed by hand: a duration, written as --set takes it.
  await page.fill('#what-if-find', 'faults[1].f');
  await field('faults[1].for').fill('300ms');
  await field('faults[1].for').dispatchEvent('change');
  t.is(await page.textContent('#what-if-changes'), 'Changes: workload.detector.acks=all faults[1].for=300ms');
  t.deepEqual(errors, []);
  await page.close();
});

test('live checks: a violation that stands whatever follows pauses the run and selects its evidence in the timeline', async (t) => {
  if (!browserAvailable) return t.pass(skipReason);
  const { page, errors } = await open('#scenario=raft-figure-8&seed=3');
  await idle(page);
  t.true(await page.isChecked('#pause-on-violation'));
  await page.click('#run');
  await page.waitForFunction(() => /Paused: /.test(document.getElementById('notice')?.textContent ?? '') || window.diasporaLab.summary() !== null, undefined, { timeout: 300_000 });
  await idle(page);
  const status = (await page.evaluate(() => window.diasporaLab.status())) as { done: boolean; nowUs: number; endUs: number };
  t.false(status.done, 'paused before the end');
  t.regex(await page.textContent('#notice') ?? '', /leader-completeness/);
  // The cited records are ringed on the diagram, inside the window it zoomed to, and the pane offers them again.
  t.true(await page.locator('#runs circle.evidence').count() >= 1);
  t.regex(await page.textContent('#status') ?? '', /zoomed/);
  t.true(await page.locator('#checks-body button.evidence').count() >= 1);
  // Run on: the check already failing does not pause again; the end confirms it.
  await page.click('#run');
  await page.waitForFunction(() => window.diasporaLab.summary() !== null, undefined, { timeout: 300_000 });
  const summary = (await page.evaluate(() => window.diasporaLab.summary())) as { checks: Record<string, { ok: boolean }> };
  t.false(summary.checks['leader-completeness']!.ok);
  t.deepEqual(errors, []);
  await page.close();
});

test('stepping and going back one event give the records of a straight run to that step', async (t) => {
  if (!browserAvailable) return t.pass(skipReason);
  const { page, errors } = await open('#scenario=domino-uncoordinated&seed=4');
  await idle(page);
  // Everything but `answers` (the id of the request it answers).
  const at = async () => {
    const { answers: _answers, ...rest } = (await page.evaluate(() => window.diasporaLab.status())) as { answers: number; events: number; records: number; last: unknown; nowUs: number };
    return rest;
  };
  for (let i = 0; i < 3; i++) {
    await page.click('#step-one');
    await idle(page);
  }
  const third = await at();
  t.is(third.events, 3);
  await page.click('#step-one');
  await idle(page);
  await page.click('#back');
  await idle(page);
  t.deepEqual(await at(), third, 'back from step 4 is step 3, record for record');
  await page.fill('#to-time', '2s');
  await page.click('#go');
  await idle(page);
  const forward = await at();
  await page.click('#rewind');
  await idle(page);
  await page.fill('#to-time', '2s');
  await page.click('#go');
  await idle(page);
  t.deepEqual(await at(), forward, 'rewound to the start and run to 2 s again: the same state');
  t.deepEqual(errors, []);
  await page.close();
});

test('while a run goes, the whole-run views (checkpoints, recovery) are drawn without pausing', async (t) => {
  if (!browserAvailable) return t.pass(skipReason);
  // The page's clock is the test's, paused from the start (`open`): at 10 s / s, a page whose clock
  // flowed and was starved for 6 s of wall time would ask for the whole run at once.
  const { page, errors } = await open('#scenario=domino-uncoordinated&seed=4', { clock: true });
  await idle(page);
  t.is(await page.evaluate(() => Date.now()), CLOCK_START_MS + 86_400_000, 'the page loaded with its clock standing still');
  // 10 s of simulated time per second of the page's clock, never paused.
  await page.selectOption('#speed', '10000000');
  // Every text the status line shows while the run goes: between the stretches of a run at a set
  // speed (the page asks for the next one 50 ms after each stop) it is running, never "paused".
  await page.evaluate(() => {
    const shown: string[] = ((window as unknown as { shown: string[] }).shown = []);
    const line = document.getElementById('status')!;
    new MutationObserver(() => shown.push(line.textContent ?? '')).observe(line, { childList: true, characterData: true, subtree: true });
  });
  await page.click('#run');
  const status = async () => (await page.evaluate(() => window.diasporaLab.status())) as { nowUs: number; endUs: number; done: boolean };
  // 100 ms of the page's clock at a time (1 s of the run), each stretch waited for.
  while ((await page.locator('#runs g.checkpoint').count()) === 0 && !(await status()).done) {
    await page.clock.runFor(100);
    await idle(page);
  }
  await page.waitForSelector('#runs g.checkpoint', { state: 'attached' });
  const drawn = await status();
  t.true(drawn.nowUs < drawn.endUs, `drawn at ${drawn.nowUs} µs, before the end at ${drawn.endUs} µs`);
  const shown = await page.evaluate(() => (window as unknown as { shown: string[] }).shown);
  t.true(shown.length >= 2, shown.join('\n'));
  t.true(shown.every((text) => /^running at 10 s \/ s/.test(text)), shown.join('\n'));
  t.is(await page.evaluate(() => window.diasporaLab.summary()), null, 'the run has not finished');
  t.deepEqual(errors, []);
  await page.close();
});
