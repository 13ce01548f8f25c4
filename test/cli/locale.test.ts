/**
 * The command speaks English whatever the user's locale, from its sources (through tsx) as bundled
 * (dist/): yargs follows LANG only where it finds its locale files, which the bundle does not ship,
 * and the messages the CLI rewrites into its own words are matched in English (parse-errors.ts).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { diaspora, ROOT } from './cli.ts';

const GERMAN = { LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8', LC_MESSAGES: 'de_DE.UTF-8', LANGUAGE: 'de' };

/** The command run from its TypeScript sources, whether or not dist/ is current. */
function fromSource(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...GERMAN } }, (_error, stdout, stderr) => resolve({ stdout, stderr }));
  });
}

test('under a German locale, a missing argument and --help read in English, from source as from bin/diaspora.mjs', async (t) => {
  for (const run of [fromSource, (args: string[]) => diaspora(args, ROOT, GERMAN)]) {
    const missing = await run(['run']);
    t.regex(missing.stderr.trim(), /^<scenario> missing: diaspora run <scenario> \(see diaspora run --help\)$/);
    const help = await run(['--help']);
    t.regex(help.stdout, /^Options:$/m);
    t.notRegex(help.stdout, /Optionen|Befehle/);
  }
});
