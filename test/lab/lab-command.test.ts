/**
 * `diaspora lab` as a user runs it: it serves the page on the loopback address and prints the URL,
 * Ctrl-C stops it (exit 0, nothing left open — the process ends by itself); `--export DIR` writes
 * the same page as DIR/index.html; a scenario the schema refuses is an input error before anything
 * is served.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diaspora } from '../cli/cli.ts';

const BIN = fileURLToPath(new URL('../../bin/diaspora.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lab-command-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('lab serves the page at the printed URL, and Ctrl-C stops it cleanly', async (t) => {
  const child = spawn(process.execPath, [BIN, 'lab', 'scenarios/drills/log-acks1-leader-crash.yaml', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 120_000);
      child.stdout.on('data', () => {
        const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
        if (found !== null) {
          clearTimeout(timer);
          resolve(found[0]);
        }
      });
    });
    const page = await fetch(url);
    t.is(page.status, 200);
    const html = await page.text();
    t.regex(html, /<title>diaspora lab<\/title>/);
    t.regex(html, /log-acks1-leader-crash/);
    t.is((await fetch(`${url}trace.jsonl`)).status, 404);
  } finally {
    child.kill('SIGINT');
  }
  t.is(await exited, 0, out);
  t.regex(out, /lab stopped/);
});

test('lab --export writes the page; a refused scenario exits 2 before serving', async (t) => {
  const exported = await diaspora(['lab', '--export', join(dir, 'site')]);
  t.is(exported.code, 0, exported.stderr);
  t.regex(readFileSync(join(dir, 'site', 'index.html'), 'utf8'), /id="lab-worker"/);
  // Its own earlier page is replaced only with --force, as every command that writes does.
  const again = await diaspora(['lab', '--export', join(dir, 'site')]);
  t.is(again.code, 2);
  t.regex(again.stderr, /holds an earlier lab page; add --force to replace it/);
  t.is((await diaspora(['lab', '--export', join(dir, 'site'), '--force'])).code, 0);
  // A folder's own page is never replaced, --force or not.
  mkdirSync(join(dir, 'their-site'));
  writeFileSync(join(dir, 'their-site', 'index.html'), '<p>their page</p>\n');
  t.is((await diaspora(['lab', '--export', join(dir, 'their-site'), '--force'])).code, 2);
  t.is(readFileSync(join(dir, 'their-site', 'index.html'), 'utf8'), '<p>their page</p>\n');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'name: bad\nduration: fast\nsites: {}\n');
  const refused = await diaspora(['lab', bad, '--port', '0']);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /bad\.yaml:2 duration/);
  // A plug-in scenario: one line saying why the page cannot run it and what to run instead.
  const plugin = await diaspora(['lab', 'examples/token-ring/token-ring.yaml', '--port', '0']);
  t.is(plugin.code, 2);
  t.regex(plugin.stderr, /plugins: \.\/token-ring\.ts: the lab runs only the built-in features .*diaspora run examples\/token-ring\/token-ring\.yaml --viz/);
  t.notRegex(plugin.stderr, /\n\s+at /, 'no stack trace');
});
