/**
 * `diaspora gallery`: on a subset (`--only`) and with SVG sketches (no browser needed, and fast),
 * it runs each scenario with its timeline and writes a page whose card holds the lesson from the
 * scenario file's header, the thumbnail, the command and a link to the timeline; bad names are
 * input errors. `lessonOf` reads header comments as one paragraph.
 */
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lessonOf } from '../../src/scenario/catalog.ts';
import { diaspora } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gallery-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('a gallery of one drill: lesson, sketch, command and a working timeline link', async (t) => {
  const out = join(dir, 'g');
  const { code, stderr } = await diaspora(['gallery', '-o', out, '--only', 'chandy-lamport-bank', '--thumbnails', 'svg']);
  t.is(code, 0, stderr);
  t.regex(stderr, /gallery: \[1\/1\] running scenarios\/drills\/chandy-lamport-bank\.yaml/);
  t.regex(stderr, /gallery: wrote .*index\.html \(1 run\)/);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  t.regex(html, /<article class="card" id="chandy-lamport-bank">/);
  t.regex(html, /Drill: the Chandy–Lamport snapshot of a bank\. Four accounts/);
  t.regex(html, /npx diaspora run scenarios\/drills\/chandy-lamport-bank\.yaml --viz/);
  t.regex(html, /href="runs\/chandy-lamport-bank\/timeline\.html"/);
  t.true(existsSync(join(out, 'runs', 'chandy-lamport-bank', 'timeline.html')));
  t.regex(readFileSync(join(out, 'thumbs', 'chandy-lamport-bank.svg'), 'utf8'), /^<svg [^>]*>.*every check passed/s);
  t.deepEqual(readdirSync(out).filter((f) => f.includes('.tmp-')), [], 'no temporary file left');
});

test('an unknown name in --only is one line and exit code 2', async (t) => {
  const { code, stderr } = await diaspora(['gallery', '-o', join(dir, 'bad'), '--only', 'no-such-drill']);
  t.is(code, 2);
  // Not the 30-odd names, which did not fit in one line (cut at 300 characters).
  t.regex(stderr, /^gallery --only: no shipped scenario named "no-such-drill"; the names are those of scenarios\/\*\.yaml and scenarios\/drills\/\*\.yaml, such as [a-z0-9-]+\n$/);
  t.is(stderr.trim().split('\n').length, 1);
});

test('the lesson is the header comment as one paragraph, a one-line title joined with the next', (t) => {
  const text = '# yaml-language-server: $schema=x\n#\n# Drill: a thing.\n#\n# It does this\n# and that.\n#\n# More.\nname: x\n';
  t.is(lessonOf(text), 'Drill: a thing. It does this and that.');
  t.is(lessonOf('# One long paragraph\n# over two lines.\n#\n# Second.\nname: y\n'), 'One long paragraph over two lines.');
  t.is(lessonOf('name: z\ndescription: "Just a description"\n'), 'Just a description');
});
