/**
 * Headless Chromium for the timeline tests: Debian's `/usr/bin/chromium` driven by playwright-core,
 * and reading a gauge panel's value at a time back from the drawn SVG.
 *
 * Outside CI, a machine without Chromium skips the browser tests (and says so); in CI (`CI` set)
 * they run and fail, so a missing browser can never pass silently there.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = existsSync(CHROMIUM) || process.env.CI !== undefined;
export const skipReason = `Chromium not found at ${CHROMIUM}: browser tests skipped (install it with apt-get install chromium; in CI they run and fail instead)`;

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface OpenPage {
  page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
}

/** Opens a timeline file and waits until the page says it is ready. */
export async function openTimeline(browser: Browser, file: string, options: { hash?: string; width?: number; height?: number } = {}): Promise<OpenPage> {
  const page = await browser.newPage({ viewport: { width: options.width ?? 1400, height: options.height ?? 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(file).href + (options.hash ?? ''));
  // A bound for a machine loaded many times over, not a window: the page is ready in well under a second when idle.
  await page.waitForFunction(() => window.diasporaViz?.ready === true, undefined, { timeout: 180_000 });
  return { page, errors };
}

/** The value a gauge's step line shows at simulated time `t`, read from the SVG; null where it draws nothing. */
export function gaugeAt(page: Page, panel: string, series: string, t: number): Promise<number | null> {
  return page.evaluate(([panel, series, t]) => {
    const plot = document.querySelector(`section.run[data-run="0"] g.panel.${panel} g.series`)!;
    const path = Array.from(plot.querySelectorAll<SVGPathElement>('path.gauge')).find((p) => p.dataset.series === series);
    if (path === undefined) throw new Error(`no series ${series} in panel ${panel}`);
    const left = plot.parentElement!.querySelector('rect.panel-frame')!.getBoundingClientRect().left;
    const x = window.diasporaViz.clientX(0, t) - left;
    let y: number | null = null;
    let cx = 0;
    for (const [, command, a, b] of (path.getAttribute('d') ?? '').matchAll(/([MHV])(-?[\d.]+)(?:,(-?[\d.]+))?/g)) {
      if (command === 'M') [cx, y] = [Number(a), Number(b)];
      else if (command === 'H') cx = Number(a);
      else if (cx <= x) y = Number(a);
      if (command !== 'V' && cx > x) break;
    }
    const top = Number(plot.getAttribute('data-top'));
    const height = Number(plot.getAttribute('data-height'));
    return y === null ? null : (top * (height - y)) / height;
  }, [panel, series, t] as const);
}

declare global {
  interface Window {
    /** The page's test API, as `viz/ui/app.ts` exposes it. */
    diasporaViz: VizApi;
  }
}

export interface VizApi {
  ready: boolean;
  state(): { t0: number; t1: number; filter: string; selection: { run: number; row: number } | null; playhead: number | null; playing: boolean; speed: number };
  setWindow(t0: number, t1: number): void;
  update(change: Record<string, unknown>): void;
  lanes(run: number): string[];
  clientX(run: number, t: number): number;
  modes(): Array<'detail' | 'density'>;
  renderNow(): number;
  /** Draws the first n steps of the first rollback cascade and names the last in the step line. */
  cascadeStep(n: number): void;
  exportSvg(): string;
  exportPng(): Promise<Blob>;
}
