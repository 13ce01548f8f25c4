/**
 * Timelines that explain why, in headless Chromium, on the drills a teacher would show: the demo's
 * durable frontier and lost suffix (the cause of its loss is the last fsync at 15 s), and no empty
 * `world` lane. Assertions read the DOM the page draws (`data-*` attributes), never pixels.
 *
 * `WRITE_SCREENSHOTS=1` also saves each page as a PNG under `docs/` for the README.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, launch, openTimeline, skipReason } from './browser.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'viz-explain-'));
const SCENARIOS = {
  store: 'scenarios/beamline-store.yaml',
} as const;
type Name = keyof typeof SCENARIOS;
const pageOf = (name: Name) => join(dir, name, 'timeline.html');
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

async function screenshot(page: Page, file: string): Promise<void> {
  if (process.env.WRITE_SCREENSHOTS === undefined) return;
  await page.screenshot({ path: join(ROOT, 'docs', file) });
}

test.before(async () => {
  if (!browserAvailable) return;
  for (const name of Object.keys(SCENARIOS) as Name[]) await runWithViz(name);
  browser = await launch();
});

test.after.always(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

maybe('the demo shows why its data was lost: the durable frontier at the last fsync (15 s) and the lost suffix after it', async (t) => {
  const { page, errors } = await openTimeline(browser, pageOf('store'), { width: 1400, height: 1000 });
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
