/**
 * The lab as one self-contained HTML page: the template (viz/lab/page.html) with the timeline's
 * and the lab's styles, d3, the catalog (scenario texts and lessons), the page script and the
 * worker's source inlined. The page starts its worker from that source (a Blob URL), so it works
 * served by `diaspora lab`, from disk, or from any static host — no request after the page.
 *
 * Guarantee: a pure function of the catalog, the version and the sources. How it fails: a bundle
 * that does not build throws esbuild's message, naming the file.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageFile } from '../package-layout.ts';
import { bundlePage, bundleWorker } from './bundle.ts';
import type { CatalogEntry } from './catalog.ts';

const VIZ = fileURLToPath(packageFile('viz/'));
const d3Path = () => join(dirname(fileURLToPath(import.meta.resolve('d3'))), 'd3.min.js');

/** Inline scripts must not contain `</script`, which would end the element early. */
const scriptSafe = (code: string) => code.replace(/<\/script/gi, '<\\/script');

export async function labPage(entries: readonly CatalogEntry[], version: string): Promise<string> {
  const [template, style, labStyle, d3, app, worker] = await Promise.all([
    readFile(join(VIZ, 'lab', 'page.html'), 'utf8'),
    readFile(join(VIZ, 'style.css'), 'utf8'),
    readFile(join(VIZ, 'lab', 'lab.css'), 'utf8'),
    readFile(d3Path(), 'utf8'),
    bundlePage(),
    bundleWorker(),
  ]);
  const data = scriptSafe(JSON.stringify({ version, catalog: entries }));
  const scripts = [
    `<script>${scriptSafe(d3)}</script>`,
    `<script type="application/json" id="lab-data">${data}</script>`,
    `<script type="text/plain" id="lab-worker">${scriptSafe(worker)}</script>`,
    `<script>${scriptSafe(app)}</script>`,
  ].join('\n');
  // Replacement functions: the inlined code contains `$` sequences that a replacement string would expand.
  return template
    .replace('<!--@style-->', () => `${style}\n${labStyle}`)
    .replace('<!--@scripts-->', () => scripts);
}
