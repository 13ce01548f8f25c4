/**
 * `report.html` in a real browser (Debian's Chromium through playwright-core): the chart script
 * runs without errors and draws what the study holds — for a comparison, a bar per variant in each
 * metric's card and a difference chart; for a sweep, one line per variant and per value of the
 * other parameters, with a selector for the x axis when there are several.
 */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { studyHtml } from '../../src/report/study-html.ts';
import type { StudyView } from '../../src/report/study-data.ts';
import { summarise } from '../../src/report/study-summary.ts';
import { browserAvailable, launch, skipReason } from '../viz/browser.ts';
import { scratchDirs } from '../exec/sweep-scratch.ts';
import { comparisonView, sweepView } from './_study.ts';

const scratch = scratchDirs('diaspora-study-page-');

async function open(browser: Browser, view: StudyView) {
  const file = join(scratch(), `${view.spec.kind}-${view.spec.params.length}.html`);
  writeFileSync(file, studyHtml(view, summarise(view), 'test'));
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(file).href);
  return { page, errors };
}

if (!browserAvailable) {
  test.skip(`study report pages — ${skipReason}`, () => {});
} else {
  let browser: Browser;
  test.before(async () => {
    browser = await launch();
  });
  test.after.always(async () => {
    await browser?.close();
  });

  test('a comparison: bars with intervals and seeds, and the paired differences', async (t) => {
    const { page, errors } = await open(browser, comparisonView());
    t.deepEqual(errors, []);
    t.deepEqual(await page.$$eval('.card h3 code', (hs) => hs.map((h) => h.textContent)), ['passed', 'store.lost', 'produce.latencyUs.p99', 'checkpoint.bytesWritten']);
    t.deepEqual(await page.$$eval('.card .axis-title', (ts) => ts.map((e) => e.textContent)), ['passed (fraction of seeds, 0–1)', 'store: lost (count)', 'produce: latency p99 (time)', 'checkpoint: bytes written (bytes)']);
    t.is(await page.$$eval('.card', (cards) => cards[2]!.querySelectorAll('rect.bar').length), 2);
    // Seven seeds ran (four of a, three of b), each a dot.
    t.is(await page.$$eval('.card', (cards) => cards[2]!.querySelectorAll('circle.seed').length), 7);
    t.is(await page.$$eval('.card', (cards) => cards[2]!.querySelectorAll('line.interval').length), 1);
    t.regex(await page.textContent('#legend') ?? '', /a \(baseline\)/);
    // A metric only the baseline measures: its bar alone, and no difference to draw.
    t.is(await page.$$eval('.card', (cards) => cards[3]!.querySelectorAll('rect.bar').length), 1);
    t.is(await page.$$eval('.card', (cards) => cards[3]!.querySelectorAll('svg').length), 1);
  });

  test('a sweep of one parameter: one line per variant on a log axis', async (t) => {
    const { page, errors } = await open(browser, sweepView(false));
    t.deepEqual(errors, []);
    t.is(await page.$$eval('.card', (cards) => cards.length), 2);
    t.is(await page.$$eval('.card', (cards) => cards[0]!.querySelectorAll('path.line').length), 2);
    t.is(await page.$$eval('.card', (cards) => cards[0]!.querySelectorAll('path.band').length), 2);
    t.is(await page.$('#x-param'), null, 'no selector for a single parameter');
  });

  test('a sweep of two parameters: a line per variant and value of the other, and an x-axis selector', async (t) => {
    const { page, errors } = await open(browser, sweepView(true));
    t.deepEqual(errors, []);
    t.is(await page.$$eval('.card', (cards) => cards[0]!.querySelectorAll('path.line').length), 4);
    t.is(await page.$$eval('#dashes li', (items) => items.length), 2);
    await page.selectOption('#x-param', 'link.latency');
    t.deepEqual(errors, []);
    // Now x is the latency: a line per variant and flush interval (three of them).
    t.is(await page.$$eval('.card', (cards) => cards[0]!.querySelectorAll('path.line').length), 6);
    t.is(await page.$$eval('#dashes li', (items) => items.length), 3);
  });
}
