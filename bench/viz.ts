/**
 * Benchmark of the timeline (a benchmark, not a test) on real runs and, optionally, synthetic
 * traces of given sizes.
 *
 * Real runs: each scenario below is run with `--trace` (the 100 s acks=1 drill writes ~0.92 M
 * records), its timeline written, and the page opened in headless Chromium several times,
 * alternating the two loading paths side by side — decoding in a Worker (the page's default) and
 * on the main thread (the fallback, as every page decoded before the Worker) — so that both see
 * the same machine load. Per path it reports the first frame (the page's `viz:drawn` mark: parsed,
 * decoded, modelled and drawn) and the wheel zoom: real wheel events over the diagram, each timed
 * from the event to the end of the frame that shows it (a message posted from the next animation
 * frame runs after that frame's rendering), stepping from the whole run in to detail and back out.
 *
 *   node --import=tsx bench/viz.ts                    the real runs
 *   node --import=tsx bench/viz.ts 100000 1000000     and synthetic traces of these sizes
 *   node --import=tsx bench/viz.ts old.html           and timeline pages written before (e.g. by
 *                                                     an older version, for a before/after)
 *
 * Besides wall times it reports CPU time: what every Chromium process this benchmark started
 * (browser, renderer, GPU, network) spent, read from /proc, from navigation to the first frame and
 * over the wheel steps — on a machine shared with other work, wall times mostly measure the
 * scheduler, CPU time the page. (Without /proc the CPU columns read 0.)
 *
 * Needs /usr/bin/chromium (or CHROMIUM_PATH). The machine's load average is printed with the
 * results: compare the two paths within one run, not absolute times across runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { writeTimeline } from '../src/report/timeline.ts';
import { launch } from '../test/viz/browser.ts';
import { writeWorkloadTrace } from '../test/viz/synthetic-workload.ts';

const REAL_RUNS: Array<{ name: string; scenario: string; sets: string[] }> = [
  { name: 'log-acks1-leader-crash, 100 s', scenario: 'scenarios/drills/log-acks1-leader-crash.yaml', sets: ['duration=100s'] },
];
const SIZES = process.argv.slice(2).map(Number).filter((n) => n > 0);
const PAGES = process.argv.slice(2).filter((arg) => arg.endsWith('.html'));
/** Page openings per path; the paths alternate. */
const OPENINGS = 3;
const ZOOM_IN_STEPS = 12;
const ZOOM_OUT_STEPS = 6;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

interface Opening {
  marks: Record<string, number>;
  wheel: number[];
  /** CPU ms of the browser's processes from navigation to the first frame, and per wheel step. */
  loadCpu: number;
  wheelCpu: number;
  errors: string[];
}

/** User + system CPU time (ms) of every process descended from this one, from /proc. */
function descendantsCpuMs(): number {
  if (!existsSync('/proc/self/stat')) return 0;
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command (which may hold spaces) start at ") ": state ppid … utime(14) stime(15).
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(fields[1]));
      cpu.set(Number(entry), (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // The process ended while being read.
    }
  }
  let total = 0;
  for (const [pid, ms] of cpu) {
    for (let p: number | undefined = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        total += ms;
        break;
      }
    }
  }
  return total;
}

/** Opens the page once (decoding in a Worker or on the main thread), then zooms with the wheel. */
async function open(browser: Browser, file: string, inPage: boolean): Promise<Opening> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    if (inPage) await page.addInitScript(() => ((window as unknown as { diasporaDecodeInPage: boolean }).diasporaDecodeInPage = true));
    const cpuBefore = descendantsCpuMs();
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => window.diasporaViz?.ready === true, undefined, { timeout: 120_000 });
    const loadCpu = descendantsCpuMs() - cpuBefore;
    const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])));
    await page.evaluate(() => {
      const times: number[] = [];
      (window as unknown as { wheelTimes: number[] }).wheelTimes = times;
      window.addEventListener('wheel', () => {
        const start = performance.now();
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => times.push(performance.now() - start);
          channel.port2.postMessage(0);
        });
      }, { capture: true });
    });
    const box = await page.evaluate(() => {
      const r = document.querySelector('rect.zoom-target')!.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
    await page.mouse.move(box.x, box.y);
    const wheelBefore = descendantsCpuMs();
    for (const [steps, dy] of [[ZOOM_IN_STEPS, -100], [ZOOM_OUT_STEPS, 100]]) {
      for (let i = 0; i < steps; i++) {
        await page.mouse.wheel(0, dy);
        await page.waitForTimeout(250);
      }
    }
    const wheel = await page.evaluate(() => (window as unknown as { wheelTimes: number[] }).wheelTimes);
    return { marks, wheel, loadCpu, wheelCpu: (descendantsCpuMs() - wheelBefore) / (ZOOM_IN_STEPS + ZOOM_OUT_STEPS), errors };
  } finally {
    await page.close();
  }
}

/** Both paths side by side on one page file. */
async function compare(browser: Browser, file: string): Promise<void> {
  const results: Record<'worker' | 'main thread', Opening[]> = { worker: [], 'main thread': [] };
  for (let i = 0; i < OPENINGS; i++) {
    results.worker.push(await open(browser, file, false));
    results['main thread'].push(await open(browser, file, true));
  }
  for (const [path, openings] of Object.entries(results)) {
    const phase = (name: string) => median(openings.map((o) => o.marks[name]));
    const wheel = openings.flatMap((o) => o.wheel);
    const firstSteps = openings.flatMap((o) => o.wheel.slice(0, 3));
    console.log(`  decode in ${path.padEnd(11)}: first frame ${ms(phase('viz:drawn'))} wall, ${ms(median(openings.map((o) => o.loadCpu)))} CPU (script ${ms(phase('viz:script'))}, runs decoded ${ms(phase('viz:decoded'))}, modelled ${ms(phase('viz:modelled'))}; medians of ${OPENINGS})`
      + ` · wheel zoom per step: median ${ms(median(wheel))} wall, ${ms(median(openings.map((o) => o.wheelCpu)))} CPU, p95 ${ms(p95(wheel))}, first 3 steps (whole run) median ${ms(median(firstSteps))}, ${wheel.length} steps`);
    const errors = openings.flatMap((o) => o.errors);
    if (errors.length > 0) console.log(`    page errors: ${errors.join(' | ')}`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'viz-bench-'));
const browser = await launch();
console.log(`timeline benchmark — ${new Date().toISOString()} — Node ${process.version} — load average ${load()}`);
try {
  for (const run of REAL_RUNS) {
    const out = join(dir, run.name.replace(/\W+/g, '-'));
    let started = performance.now();
    try {
      execFileSync(process.execPath, ['bin/diaspora.mjs', 'run', run.scenario, '-q', '--trace', '-o', out, ...run.sets.flatMap((s) => ['--set', s])], { stdio: 'pipe' });
    } catch (error) {
      // A failing check exits 1 and still writes the run.
      if ((error as { status?: number }).status !== 1) throw error;
    }
    const runMs = performance.now() - started;
    started = performance.now();
    const html = join(out, 'timeline.html');
    const written = await writeTimeline({ traces: [join(out, 'trace.jsonl')], out: html });
    console.log(`\n${run.name}: ${written.records.toLocaleString('en-US')} records (run ${ms(runMs)}, trace ${mb(statSync(join(out, 'trace.jsonl')).size)}); timeline written in ${ms(performance.now() - started)}, page ${mb(written.bytes)}; load average ${load()}`);
    await compare(browser, html);
  }
  for (const page of PAGES) {
    console.log(`\n${page}: ${mb(statSync(page).size)}; load average ${load()}`);
    await compare(browser, page);
  }
  for (const size of SIZES) {
    const trace = join(dir, `trace-${size}.jsonl`);
    const html = join(dir, `timeline-${size}.html`);
    const records = await writeWorkloadTrace(trace, { records: size });
    const written = await writeTimeline({ traces: [trace], out: html });
    console.log(`\nsynthetic workload, ${records.toLocaleString('en-US')} records: page ${mb(written.bytes)}; load average ${load()}`);
    await compare(browser, html);
  }
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
