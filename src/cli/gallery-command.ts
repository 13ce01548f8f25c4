/**
 * `diaspora gallery -o DIR`: runs every shipped scenario and drill once (its own seed) with its
 * timeline, and writes `DIR/index.html`: per run the lesson from the scenario file's header, a
 * thumbnail, the command that runs it, and a link to its timeline (`DIR/runs/<name>/`).
 *
 * Thumbnails are PNGs of the timeline rendered by headless Chromium when it is installed (and
 * playwright-core with it), else SVG sketches of the run from its summary — the command works
 * without a browser. `--only a,b` restricts it to some scenarios (by name), `--thumbnails svg`
 * forces the sketches.
 *
 * Guarantee: progress on stderr, one line per run; every file appears complete or not at all (runs
 * are written by `diaspora run`, which stages them; thumbnails and the page are written under a
 * temporary name, then renamed). Ctrl-C stops the run in progress (it removes its own staging),
 * writes no page, and exits 130; finished runs stay. How it fails: an unknown name in `--only`, or
 * an index.html at the target that diaspora did not write, is one line on stderr with exit code 2.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../kernel/contract/index.ts';
import { onInterrupt, removeOnInterrupt } from '../exec/interrupt.ts';
import { makeDirs } from '../make-dirs.ts';
import { PACKAGE_ROOT } from '../package-layout.ts';
import { galleryHtml, sketchSvg, type GalleryEntry } from '../report/gallery.ts';
import { lessonOf, shippedScenarios } from '../scenario/catalog.ts';
import { closest } from '../scenario/suggest.ts';
import { reportError } from './exit.ts';
import { FORCE_OPTION, prepareFile, targetLabel } from './output-options.ts';

interface GalleryArgs {
  out: string;
  only?: string;
  thumbnails: 'auto' | 'png' | 'svg';
  force: boolean;
}

const ROOT = fileURLToPath(PACKAGE_ROOT);
const CLI = join(ROOT, 'bin', 'diaspora.mjs');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const stderr = (line: string) => process.stderr.write(`gallery: ${line}\n`);

/** Writes `text` to `path` under a temporary name first, so the file is complete or absent. */
function writeAtomically(path: string, text: string | Buffer): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const release = removeOnInterrupt(tmp);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
  release();
}

export const galleryCommand: CommandModule<object, GalleryArgs> = {
  command: 'gallery',
  describe: 'Run every shipped scenario and drill and write a gallery page: lesson, thumbnail, command and timeline of each',
  builder: (yargs: Argv) =>
    yargs
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'Directory to write: index.html, runs/<name>/ (each with its timeline.html) and thumbs/' })
      .option('only', { type: 'string', describe: 'Only these scenarios, by name (comma-separated)' })
      .option('thumbnails', { choices: ['auto', 'png', 'svg'] as const, default: 'auto' as const, describe: 'PNG timelines via Chromium (auto: when installed), or SVG sketches from the summaries' })
      .options(FORCE_OPTION)
      .example('$0 gallery -o gallery', 'Every scenario and drill; open gallery/index.html')
      .example('$0 gallery -o g --only beamline-store,log-acks1-leader-crash', 'Two of them') as unknown as Argv<GalleryArgs>,
  handler: async (args) => {
    try {
      process.exitCode = await gallery(args);
    } catch (error) {
      process.exitCode = reportError(error);
    }
  },
};

async function gallery(args: GalleryArgs): Promise<number> {
  let chosen = shippedScenarios();
  if (args.only !== undefined) {
    const names = args.only.split(',').map((n) => n.trim()).filter(Boolean);
    if (names.length === 0) throw new InputError(`gallery --only ${JSON.stringify(args.only)}: names no scenario; give names like beamline-store,log-acks1-leader-crash`);
    const unknown = [...new Set(names.filter((n) => !chosen.some((s) => s.name === n)))];
    if (unknown.length > 0) {
      // The 30-odd names do not fit in one line: a near one, else where they come from. Every
      // unknown name is named, so that one attempt finds them all.
      const shipped = chosen.map((s) => s.name);
      const where = `the names are those of scenarios/*.yaml and scenarios/drills/*.yaml, such as ${shipped.at(-1)}`;
      if (unknown.length === 1) {
        const near = closest(unknown[0]!, shipped);
        throw new InputError(`gallery --only: no shipped scenario named "${unknown[0]}"; ${near === undefined ? where : `did you mean "${near}"?`}`);
      }
      const named = unknown.map((n) => {
        const near = closest(n, shipped);
        return near === undefined ? `"${n}"` : `"${n}" (did you mean "${near}"?)`;
      });
      throw new InputError(`gallery --only: no shipped scenarios named ${named.join(', ')}; ${where}`);
    }
    chosen = chosen.filter((s) => names.includes(s.name));
  }
  // An empty -o (an unset shell variable) would write the gallery into the working directory.
  if (args.out === '') throw new InputError('-o: an empty path; give a path to write');
  const index = join(args.out, 'index.html');
  // The label names the file as well as the folder given: a refusal is about index.html, not the folder.
  const release = prepareFile(index, `${targetLabel('-o', args.out, index)} (index.html)`, 'gallery', args.force, true);
  makeDirs(join(args.out, 'runs'));
  makeDirs(join(args.out, 'thumbs'));
  let stopping = false;
  let child: ReturnType<typeof execFile> | undefined;
  const unhook = onInterrupt(() => {
    stopping = true;
    child?.kill('SIGINT');
  });
  try {
    const entries: GalleryEntry[] = [];
    for (const [i, scenario] of chosen.entries()) {
      if (stopping) break;
      const dir = join(args.out, 'runs', scenario.name);
      const started = performance.now();
      stderr(`[${i + 1}/${chosen.length}] running ${scenario.file} …`);
      const status = await new Promise<number | null>((resolve) => {
        child = execFile(process.execPath, [CLI, 'run', scenario.path, '--viz', '-q', '-o', dir, '--force'], { maxBuffer: 64 << 20 }, (error) => {
          resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : null);
        });
      });
      child = undefined;
      if (stopping) break;
      const summary = readJson(join(dir, 'summary.json'));
      const timeline = existsSync(join(dir, 'timeline.html')) ? relative(args.out, join(dir, 'timeline.html')).split('\\').join('/') : null;
      const checks = (summary?.checks ?? {}) as Record<string, { ok?: boolean }>;
      const ok = summary === null || (status !== 0 && status !== 1) ? null : summary.ok === true;
      entries.push({
        name: scenario.name, file: scenario.file, group: scenario.group, lesson: lessonOf(readFileSync(scenario.path, 'utf8')),
        thumbnail: null, timeline, ok, failed: Object.entries(checks).filter(([, c]) => c?.ok === false).map(([name]) => name),
      });
      const verdict = ok === null ? `did not finish (exit ${status})` : ok ? 'every check passed' : 'a check failed';
      stderr(`[${i + 1}/${chosen.length}] ${scenario.name}: ${verdict}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    if (!stopping) await thumbnails(entries, args);
    if (stopping) {
      stderr(`interrupted: ${entries.length} run${entries.length === 1 ? '' : 's'} complete under ${join(args.out, 'runs')}; index.html not written`);
      return 130;
    }
    writeAtomically(index, galleryHtml(entries));
    stderr(`wrote ${index} (${entries.length} run${entries.length === 1 ? '' : 's'})`);
    return 0;
  } finally {
    unhook();
    release();
  }
}

function readJson(path: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Fills each entry's thumbnail: a PNG of its timeline where Chromium renders it, else a sketch. */
async function thumbnails(entries: GalleryEntry[], args: GalleryArgs): Promise<void> {
  const browser = args.thumbnails === 'svg' ? null : await launchChromium(args.thumbnails === 'png');
  try {
    for (const entry of entries) {
      const base = join(args.out, 'thumbs', entry.name);
      if (browser !== null && entry.timeline !== null) {
        try {
          const page = await browser.newPage({ viewport: { width: 1100, height: 1400 }, deviceScaleFactor: 0.5 });
          try {
            await page.goto(new URL(entry.timeline, `file://${join(args.out, '/')}`.replace(/\\/g, '/')).href);
            await page.waitForFunction(() => (window as unknown as { diasporaViz?: { ready?: boolean } }).diasporaViz?.ready === true, undefined, { timeout: 120_000 });
            // The diagram itself, not the page's toolbar and legend.
            const diagram = page.locator('section.run .chart').first();
            writeAtomically(`${base}.png`, await (await diagram.count() > 0 ? diagram.screenshot({ type: 'png' }) : page.screenshot({ type: 'png' })));
            entry.thumbnail = `thumbs/${entry.name}.png`;
            stderr(`thumbnail ${entry.name}.png`);
            continue;
          } finally {
            await page.close();
          }
        } catch (error) {
          stderr(`${entry.name}: no PNG thumbnail (${(error as Error).message.split('\n')[0]}); drawing a sketch instead`);
        }
      }
      const summary = readJson(join(args.out, 'runs', entry.name, 'summary.json')) ?? {};
      writeAtomically(`${base}.svg`, sketchSvg(summary));
      entry.thumbnail = `thumbs/${entry.name}.svg`;
    }
  } finally {
    await browser?.close();
  }
}

type Browser = import('playwright-core').Browser;

/** Headless Chromium, or null (with a note) where it or playwright-core is missing — unless required. */
async function launchChromium(required: boolean): Promise<Browser | null> {
  const missing = (why: string) => {
    if (required) throw new InputError(`gallery --thumbnails png: ${why}`);
    stderr(`${why}: thumbnails are SVG sketches`);
    return null;
  };
  if (!existsSync(CHROMIUM)) return missing(`no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch {
    return missing('playwright-core is not installed');
  }
  return playwright.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}
