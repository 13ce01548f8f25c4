/**
 * `diaspora schema [plugins..]`: prints the JSON Schema of scenario files with the sections, service
 * kinds and checks of the given plug-ins included, so that an editor validates and completes a
 * scenario that uses them (`# yaml-language-server: $schema=./schema.json` at its top). Without
 * plug-ins it prints the schema of `scenarios/schema.json`, byte for byte.
 *
 * Exit 0 with the schema on stdout; 2 when an argument is not named as a plug-in module (a
 * scenario file, most likely: the schema of scenario files is what `schema` alone prints) or a
 * plug-in cannot be loaded (not found, not a feature, or a name another feature already has), with
 * nothing on stdout.
 */
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../kernel/contract/index.ts';
import { fileKindOf, loadPlugins, namesPluginModule, PLUGIN_ENDINGS, renderScenarioJsonSchema } from '../scenario/index.ts';
import { EXIT_OK, reportError } from './exit.ts';

interface SchemaArgs {
  plugins: string[];
}

export const schemaCommand: CommandModule<object, SchemaArgs> = {
  command: 'schema [plugins..]',
  describe: "Print the JSON Schema of scenario files, with the given plug-ins' sections, for an editor",
  builder: (yargs: Argv) =>
    yargs
      .positional('plugins', { type: 'string', array: true, default: [], describe: 'Plug-in modules (.ts or .js) whose sections to include' })
      .example('$0 schema examples/token-ring/token-ring.ts > examples/token-ring/schema.json', 'Let an editor check the ring: section of a token-ring scenario') as unknown as Argv<SchemaArgs>,
  handler: async (args) => {
    try {
      const notPlugin = args.plugins.find((path) => !namesPluginModule(path));
      if (notPlugin !== undefined) throw new InputError(`schema ${notPlugin}: schema takes plug-in modules (${PLUGIN_ENDINGS}) to add their sections, not ${fileKindOf(notPlugin)}; \`diaspora schema\` alone prints the schema of scenario files`);
      // In the order given, as a scenario's plugins: list would register them.
      // A refusal names a plug-in as the user gave it, not by the absolute path loaded.
      const given = new Map(args.plugins.map((path) => [resolve(path), path]));
      await loadPlugins([...given.keys()], (path) => `schema ${given.get(path)}`);
      process.stdout.write(renderScenarioJsonSchema(args.plugins.length === 0 ? undefined : ['diaspora schema', ...args.plugins].join(' ')));
      process.exitCode = EXIT_OK;
    } catch (error) {
      process.exitCode = reportError(error);
    }
  },
};
