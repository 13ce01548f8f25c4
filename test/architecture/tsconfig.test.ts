/**
 * `npx tsc --noEmit` (and `npm test`, through typecheck.test.ts) type-checks the build's own
 * JavaScript too: scripts/build.mjs broke unseen once, when nothing checked it. tsconfig.json
 * includes scripts/ and bin/dist-current.mjs with checkJs (JSDoc types); bin/diaspora.mjs stays
 * out, as it imports the bundle in dist/, which would then be checked as well.
 */
import test from 'ava';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../cli/cli.ts';

test('tsc type-checks every script of scripts/ and bin/dist-current.mjs, and nothing of dist/', (t) => {
  const { config } = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  t.true(parsed.options.checkJs === true, 'checkJs');
  const checked = new Set(parsed.fileNames.map((file) => relative(ROOT, file).split(sep).join('/')));
  const scripts = readdirSync(join(ROOT, 'scripts')).filter((name) => /\.(m?js|ts)$/.test(name)).map((name) => `scripts/${name}`);
  t.true(scripts.includes('scripts/build.mjs') && scripts.includes('scripts/build-entries.mjs'), scripts.join(' '));
  for (const file of [...scripts, 'bin/dist-current.mjs']) t.true(checked.has(file), `${file} is type-checked`);
  t.deepEqual([...checked].filter((file) => file.startsWith('dist/') || file === 'bin/diaspora.mjs'), []);
});
