/**
 * Benchmark of the timeline at 10^4, 10^5 and 10^6 records (a benchmark, not a test): for each
 * size, a synthetic workload trace is generated, written as a timeline (time, HTML bytes), opened
 * in headless Chromium (load time until the page is drawn and ready), and drawn at several zooms
 * (frame time = one synchronous render of the diagram, panels and overview for a slightly shifted
 * window each time, so that no frame reuses cached counts; median of repeats),
 * plus a pan sweep at the detail zoom.
 *
 *   node --import=tsx bench/viz.ts [sizes…]      e.g. node --import=tsx bench/viz.ts 10000 100000
 *
 * Needs /usr/bin/chromium (or CHROMIUM_PATH). Numbers are noisy on shared machines; compare
 * ratios within one run.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTimeline } from '../src/report/timeline.ts';
import { launch, openTimeline } from '../test/viz/browser.ts';
import { writeWorkloadTrace } from '../test/viz/synthetic-workload.ts';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const SIZES = sizes.length > 0 ? sizes : [10_000, 100_000, 1_000_000];
const REPEATS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

const dir = mkdtempSync(join(tmpdir(), 'viz-bench-'));
const browser = await launch();
console.log(`timeline benchmark — ${new Date().toISOString()} — Node ${process.version}`);
try {
  for (const size of SIZES) {
    const trace = join(dir, `trace-${size}.jsonl`);
    const html = join(dir, `timeline-${size}.html`);
    let started = performance.now();
    const records = await writeWorkloadTrace(trace, { records: size });
    const generateMs = performance.now() - started;
    started = performance.now();
    const written = await writeTimeline({ traces: [trace], out: html });
    const writeMs = performance.now() - started;
    started = performance.now();
    const { page, errors } = await openTimeline(browser, html, { width: 1400, height: 900 });
    const loadMs = performance.now() - started;
    const end = await page.evaluate(() => window.diasporaViz.state().t1);
    const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])));
    const phases = `script parsed ${ms(marks['viz:script'])}, decoded +${ms(marks['viz:decoded'] - marks['viz:script'])}, derived +${ms(marks['viz:modelled'] - marks['viz:decoded'])}, drawn +${ms(marks['viz:drawn'] - marks['viz:modelled'])}`;
    const views: Array<[string, number, number]> = [
      ['whole run', 0, end],
      ['1/2 of the run', end * 0.25, end * 0.75],
      ['1/10 of the run', end * 0.45, end * 0.55],
      ['1/100 of the run', end * 0.5, end * 0.51],
      ['detail (~2k records)', end * 0.5, end * 0.5 + (end * 2_000) / records],
    ];
    const frames: string[] = [];
    for (const [name, t0, t1] of views) {
      // Each repeat shifts the window a little, so no frame reuses the previous frame's counts.
      const result = await page.evaluate(
        ([a, b, repeats]) => {
          const times: number[] = [];
          for (let i = 0; i < repeats; i++) {
            const shift = ((b - a) * i) / 200;
            window.diasporaViz.setWindow(a - shift, b - shift);
            times.push(window.diasporaViz.renderNow());
          }
          return { times, mode: window.diasporaViz.modes()[0] };
        },
        [t0, t1, REPEATS] as const,
      );
      frames.push(`${name}: ${ms(median(result.times))} (${result.mode})`);
    }
    const pan = await page.evaluate(([a, span]) => {
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        window.diasporaViz.setWindow(a + (i * span) / 10, a + span + (i * span) / 10);
        times.push(window.diasporaViz.renderNow());
      }
      return times;
    }, [end * 0.2, end / 100] as const);
    const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
    console.log(`\n${records.toLocaleString('en-US')} records (trace ${mb(statSync(trace).size)}, generated in ${ms(generateMs)})`);
    console.log(`  write timeline: ${ms(writeMs)}, HTML ${mb(written.bytes)} (${(written.bytes / records).toFixed(1)} bytes/record incl. ~0.4 MB page and d3)`);
    console.log(`  load in Chromium until drawn: ${ms(loadMs)} (${phases}), JS heap ${mb(heap)}`);
    console.log(`  frame (median of ${REPEATS}): ${frames.join('; ')}`);
    console.log(`  pan at 1/100 zoom, 30 frames: median ${ms(median(pan))}, p95 ${ms(p95(pan))}`);
    if (errors.length > 0) console.log(`  console errors: ${errors.join(' | ')}`);
    await page.close();
  }
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
