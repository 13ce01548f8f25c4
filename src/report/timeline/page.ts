/**
 * Writes the self-contained timeline page: the template (`viz/page.html`) with the styles, one data
 * block per run (gzipped payload, base64), the decoder Worker's source and the script that starts
 * it, then d3 and the page script, all inlined — nothing fetched when the page opens, so it works
 * from disk, offline, attached to an email. The data comes first so that decoding (in Workers)
 * overlaps the parsing of d3 and the page script.
 *
 * Guarantee: the file appears complete or not at all (report/atomic-text-file.ts: streamed to a
 * temporary name, then renamed). How it fails: an I/O error removes the temporary file and is rethrown.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PATTERN_DEFS } from '../../../viz/wire/patterns.ts';
import { DECODER_SCRIPT_TYPE, RUN_SCRIPT_TYPE } from '../../../viz/wire/wire.ts';
import { makeDirs } from '../../make-dirs.ts';
import { writeTextAtomically } from '../atomic-text-file.ts';
import { bundleViz, VIZ_DIR } from './bundle.ts';
/** Base64 line length in the data blocks: long enough to be compact, short enough for editors. */
const BASE64_LINE = 16_384;

const d3Path = () => join(dirname(fileURLToPath(import.meta.resolve('d3'))), 'd3.min.js');

/** Inline scripts must not contain `</script`, which would end the element early. */
const scriptSafe = (code: string) => code.replace(/<\/script/gi, '<\\/script');
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Writes the page; returns its size in bytes. */
export async function writePage(out: string, title: string, payloads: readonly Uint8Array[]): Promise<number> {
  const [template, style, d3, app, decoder, startLoad] = await Promise.all([
    readFile(join(VIZ_DIR, 'page.html'), 'utf8'),
    readFile(join(VIZ_DIR, 'style.css'), 'utf8'),
    readFile(d3Path(), 'utf8'),
    bundleViz('app'),
    bundleViz('decoder'),
    bundleViz('startLoad'),
  ]);
  const [head, tail] = template.split('<!--@scripts-->');
  if (tail === undefined) throw new Error('viz/page.html has no <!--@scripts--> marker');
  const fill = (text: string) =>
    text.replaceAll('<!--@title-->', escapeHtml(title)).replaceAll('<!--@style-->', style).replaceAll('<!--@patterns-->', PATTERN_DEFS);
  makeDirs(dirname(out));
  let bytes = 0;
  await writeTextAtomically(out, async (put) => {
    const write = (text: string) => {
      bytes += Buffer.byteLength(text, 'utf8');
      return put(text);
    };
    await write(fill(head));
    for (const payload of payloads) {
      await write(`<script type="${RUN_SCRIPT_TYPE}">\n`);
      const base64 = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64');
      for (let at = 0; at < base64.length; at += BASE64_LINE) await write(`${base64.slice(at, at + BASE64_LINE)}\n`);
      await write('</script>\n');
    }
    await write(`<script type="${DECODER_SCRIPT_TYPE}">${scriptSafe(decoder)}</script>\n`);
    await write(`<script>${scriptSafe(startLoad)}</script>\n`);
    await write(`<script>${scriptSafe(d3)}</script>\n`);
    await write(`<script>${scriptSafe(app)}</script>`);
    await write(fill(tail));
  });
  return bytes;
}
