/**
 * `diaspora lab [scenario.yaml] [--port N] [--export DIR]`: the lab — a page where the simulator
 * itself runs (in a Web Worker): pick a drill, run, pause, step, inject faults by hand, inspect
 * actors, download the scenario with the injected faults and reproduce the run with `diaspora run`.
 *
 * It serves the page on the loopback address and prints the URL (it opens nothing by itself);
 * Ctrl-C stops the server and the command exits 0. `--export DIR` writes the same page as
 * `DIR/index.html` instead — a teacher can host it anywhere, or open it from disk. An
 * `index.html` already there is replaced only when it is an earlier lab page and `--force` is given
 * (a site's own page is never overwritten).
 * A given scenario is checked first: one that the schema refuses, or that needs plug-ins (the
 * browser has only the built-in features), is an input error (exit 2) before anything is served.
 */
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../kernel/contract/index.ts';
import { VERSION } from '../exec/version.ts';
import { catalog } from '../lab/catalog.ts';
import { labPage } from '../lab/page.ts';
import { serveLab } from '../lab/server.ts';
import { parseScenario } from '../scenario/parse.ts';
import { reportError } from './exit.ts';
import { numericOption, readPort } from './numeric-flags.ts';
import { checkDirectoryPlace } from '../exec/output-guard.ts';
import { writeFileAtomic } from '../exec/staging.ts';
import { FORCE_OPTION, prepareFile, targetLabel } from './output-options.ts';

interface LabArgs {
  scenario?: string;
  port?: number;
  host?: string;
  export?: string;
  force: boolean;
}

/** An empty host (an unset shell variable) would make node listen on every interface: the lab open to the network unasked. */
function readHost(host: string): string {
  if (host.trim() === '') throw new InputError('--host: an empty address; give one like 127.0.0.1 (0.0.0.0 listens on every interface)');
  return host;
}

const DEFAULT_PORT = 4173;
const DEFAULT_HOST = '127.0.0.1';

export const labCommand: CommandModule<object, LabArgs> = {
  command: 'lab [scenario]',
  describe: 'Open the lab: run, step, break and inspect a scenario in the browser, then reproduce it from the CLI',
  builder: (yargs: Argv) =>
    yargs
      .positional('scenario', { type: 'string', describe: 'A scenario file to offer first (the shipped drills and scenarios are always listed)' })
      // No defaults here: a --port or --host given with --export (which serves nothing) is refused, so it must be told from none.
      .option('port', numericOption('--port', `Port to serve the lab on (0: any free port; default ${DEFAULT_PORT})`, readPort))
      .option('host', { type: 'string', describe: `Address to listen on (default ${DEFAULT_HOST})`, coerce: readHost })
      .option('export', { type: 'string', describe: 'Write the lab as a static page DIR/index.html instead of serving it' })
      .options(FORCE_OPTION)
      .example('$0 lab', 'Serve the lab at http://127.0.0.1:4173/')
      .example('$0 lab my-drill.yaml --port 8080', 'Offer your own scenario first')
      .example('$0 lab --export site/', 'A static lab for any web host (or to open from disk)') as unknown as Argv<LabArgs>,
  handler: async (args) => {
    try {
      const entries = catalog(args.scenario);
      if (args.scenario !== undefined) {
        const file = args.scenario;
        parseScenario(entries[0]!.text, file, [], (list) => {
          throw new InputError(`${file}: plugins: ${list.join(', ')}: the lab runs only the built-in features in the browser (a plug-in's module is not bundled into the page); run it with diaspora run ${file} --viz`);
        });
      }
      const page = await labPage(entries, VERSION);
      if (args.export !== undefined) {
        const served = args.port !== undefined ? `--port ${args.port}` : args.host !== undefined ? `--host ${args.host}` : undefined;
        if (served !== undefined) throw new InputError(`${served}: is for serving the lab, and with --export the lab is written as a page, not served; leave it out, or run lab again to serve it`);
        checkDirectoryPlace(args.export, targetLabel('--export', args.export, args.export));
        const out = join(args.export, 'index.html');
        // The label names the file as well as the folder given: a refusal is about index.html, not the folder.
        const release = prepareFile(out, `--export ${args.export} (index.html)`, 'lab', args.force, false);
        writeFileAtomic(out, page);
        release();
        process.stdout.write(`wrote ${out} (${(page.length / 1e6).toFixed(1)} MB, ${entries.length} scenarios); open it in a browser or host the folder anywhere\n`);
        return;
      }
      const server = await serveLab(page, { port: args.port ?? DEFAULT_PORT, host: args.host ?? DEFAULT_HOST });
      process.stdout.write(`diaspora lab ${VERSION}: ${server.url}  (${entries.length} scenarios; Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      process.stdout.write('lab stopped\n');
    } catch (error) {
      process.exitCode = reportError(error);
    }
  },
};
