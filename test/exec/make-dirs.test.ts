/**
 * makeDirs is `mkdir -p` that answers: where Node's recursive mkdir loops for ever (mkdir says
 * ENOENT under a parent that exists, as /proc does), it throws.
 */
import test from 'ava';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirs } from '../../src/make-dirs.ts';

test('makes every missing level, accepts a directory that exists, throws for a file in the way', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'make-dirs-'));
  try {
    const deep = join(dir, 'a', 'b', 'c');
    makeDirs(deep);
    t.true(statSync(deep).isDirectory());
    t.notThrows(() => makeDirs(deep));
    writeFileSync(join(dir, 'file'), '');
    t.is((t.throws(() => makeDirs(join(dir, 'file'))) as NodeJS.ErrnoException).code, 'EEXIST');
    t.is((t.throws(() => makeDirs(join(dir, 'file', 'below'))) as NodeJS.ErrnoException).code, 'ENOTDIR');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file system that refuses creation under a parent that exists (/proc) is an error, not a hang', (t) => {
  if (!existsSync('/proc/self')) return t.pass('no /proc here');
  const error = t.throws(() => makeDirs('/proc/diaspora-make-dirs/x')) as NodeJS.ErrnoException;
  t.is(error.code, 'ENOENT');
});
