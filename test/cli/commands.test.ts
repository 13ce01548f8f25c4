/**
 * The lazily loaded command list (src/cli/commands.ts) against the command modules: every module
 * is listed, each entry says what its module says, and the command a command line names is found.
 */
import test from 'ava';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv, type CommandModule } from 'yargs';
import type { OptionLists } from '../../src/cli/flag-shapes.ts';
import { COMMANDS, commandName, invokedCommand } from '../../src/cli/commands.ts';

const CLI_DIR = fileURLToPath(new URL('../../src/cli/', import.meta.url));

test('each listed command names and describes itself as its module does', async (t) => {
  for (const entry of COMMANDS) {
    const loaded = await entry.load();
    t.is(loaded.command, entry.command);
    t.is(loaded.describe, entry.describe);
    t.is(typeof loaded.handler, 'function', entry.command);
  }
});

test("each listed command's flags are those its module declares, aliases included", async (t) => {
  for (const entry of COMMANDS) {
    const loaded = await entry.load();
    const parser = yargs([]);
    (loaded.builder as (yargs: Argv) => Argv)(parser);
    const positional = [...entry.command.matchAll(/[<[](\w+)(?:\.\.)?[>\]]/g)].map((match) => match[1]!);
    t.true(positional.length > 0 || !/[<[]/.test(entry.command), entry.command);
    const declared = Object.keys((parser as unknown as { getOptions(): OptionLists }).getOptions().key).filter((name) => !['help', 'version', ...positional].includes(name));
    t.deepEqual([...entry.flags].sort(), declared.sort(), entry.command);
  }
});

test('every command module of src/cli is listed', async (t) => {
  const modules = readdirSync(CLI_DIR).filter((file) => file.endsWith('-command.ts'));
  t.true(modules.length > 0);
  const listed = new Set(COMMANDS.map((entry) => entry.command));
  for (const file of modules) {
    const exports = (await import(new URL(file, `file://${CLI_DIR}`).href)) as Record<string, unknown>;
    const commands = Object.values(exports).filter((value): value is CommandModule => typeof value === 'object' && value !== null && 'command' in value && 'handler' in value);
    t.true(commands.length > 0, `${file} exports no command`);
    for (const command of commands) t.true(listed.has(String(command.command)), `${file}: "${String(command.command)}" is missing from COMMANDS`);
  }
});

test('the invoked command is the first argument that names one', (t) => {
  const name = (args: string[]) => {
    const found = invokedCommand(args);
    return found === undefined ? undefined : commandName(found);
  };
  t.is(name(['run', 'scenarios/beamline-store.yaml']), 'run');
  t.is(name(['--all-errors', 'compare', 'x.yaml', '--seeds', '3']), 'compare');
  t.is(name(['viz', 'run', 'check']), 'viz');
  t.is(name(['--help']), undefined);
  t.is(name(['--version']), undefined);
  t.is(name(['runn', 'x.yaml']), undefined);
});
