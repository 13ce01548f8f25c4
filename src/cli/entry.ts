/**
 * The `diaspora` command line as a function: parse `args`, run the command, print, and leave the
 * exit code in `process.exitCode`. main.ts calls it with the process's arguments; a test (the
 * input fuzzer, test/fuzz) calls it many times in one process.
 *
 * Only the command being run is loaded (commands.ts); the others are listed by name and
 * description, so `--version` and `--help` start in a fraction of a second.
 *
 * How it fails: a command line yargs refuses is one line on stderr, exit code 2; an input error
 * of a command likewise (exit.ts); anything else is an internal error (exit code 3). `--help` and
 * `--version` end the process, as yargs does.
 */
import yargs, { type Arguments, type CommandModule } from 'yargs';
import { COMMANDS, commandName, commandsWithFlag, invokedCommand } from './commands.ts';
import { EXIT_BAD_INPUT } from './exit-codes.ts';
import { checkFlagShapes, type OptionLists } from './flag-shapes.ts';
import { explainParseError } from './parse-errors.ts';
import { VERSION } from '../exec/version.ts';

/** The command as yargs sees it: without its handler, which runs after parsing, outside yargs. */
function parseOnly(command: CommandModule): CommandModule {
  const { handler: _runAfterParsing, ...parsing } = command;
  return parsing as CommandModule;
}

/** A command line yargs refused, already put in our words. */
class ParseFailure extends Error {}

/**
 * `--` ends the options: the words after it are positional (a scenario, run directories). yargs
 * would keep them aside — `run -- x.yaml` missing its scenario, `run x.yaml -- --seed 3` running
 * without the seed, silently — so `--` is taken out here and what follows is parsed as positional,
 * checked like any other. A word after it that starts with "-" is refused: it is a flag put in the
 * wrong place, or a name that only `./-name` can give unambiguously.
 */
function withoutDoubleDash(args: readonly string[]): string[] {
  const at = args.indexOf('--');
  if (at === -1) return [...args];
  const rest = args.slice(at + 1);
  const dashed = rest.find((arg) => arg.startsWith('-'));
  if (dashed !== undefined) {
    throw new ParseFailure(`-- ${dashed}: what follows "--" is a file or directory name, not a flag; put flags before "--" (a name that starts with "-": write ./${dashed})`);
  }
  return [...args.slice(0, at), ...rest];
}

/**
 * A lone "-" (standard input, to many tools) and an empty word where a file goes: yargs drops the
 * first and passes the second on, so `run -` said ": no such file", naming nothing, and `viz -`
 * was an internal error (its list of traces came out empty). Refused here, named. An empty word
 * after a flag is that flag's value, judged with the flag (`--seed ''`).
 */
function checkPathWords(args: readonly string[]): void {
  if (args.includes('-')) throw new ParseFailure('-: diaspora does not read standard input; name a file (a scenario another program writes: save it, or give <(program))');
  const empty = args.findIndex((arg, i) => arg === '' && (i === 0 || !args[i - 1]!.startsWith('-') || args[i - 1]!.includes('=')));
  if (empty !== -1) throw new ParseFailure(`"" (argument ${empty + 1}): an empty name where a file or directory goes`);
}

/** Runs `diaspora <args…>`; the exit code is left in `process.exitCode`. */
export async function diaspora(given: string[]): Promise<void> {
  let args: string[];
  try {
    checkPathWords(given);
    args = withoutDoubleDash(given);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = EXIT_BAD_INPUT;
    return;
  }
  const invoked = invokedCommand(args);
  const loaded = await invoked?.load();

  /** The options of the command being run, as yargs knows them (set before validation), for did-you-mean. */
  let known: OptionLists | undefined;

  const cli = yargs(args)
    // English whatever the user's LANG: the bundle cannot find yargs' locale files (they are not
    // modules), so unpinned the source form spoke German where the bundle spoke English, and the
    // messages this CLI rewrites (parse-errors.ts) are matched in English.
    .locale('en')
    .scriptName('diaspora')
    .usage('$0 <command> [options]\n\nDeterministic simulation of resilient hierarchical event streaming.');
  for (const entry of COMMANDS) {
    const stub: CommandModule = {
      command: entry.command,
      describe: entry.describe,
      handler: () => {
        throw new Error(`command ${commandName(entry)} ran without being loaded`);
      },
    };
    cli.command(entry === invoked && loaded !== undefined ? parseOnly(loaded) : stub);
  }
  cli
    .demandCommand(1, 'name a command: run, emulate, check, viz, compare, sweep, merge, replay, shrink, schema')
    .example('$0 run scenarios/beamline-store.yaml', 'Run the demo: a beamline streaming to an HPC event store that loses power')
    .example('$0 run scenarios/beamline-store.yaml --set services.store.flush=every-write', 'The same with fsync before every ack')
    .example('$0 check results/beamline-store/<run-id>', 'Re-run the checkers offline over a saved trace')
    .example('$0 viz results/beamline-store/<run-a> results/beamline-store/<run-b>', 'Two runs on one time axis, in one HTML file')
    .option('all-errors', { type: 'boolean', global: true, describe: 'List every problem in the input, not only the first few' })
    // yargs hands middleware the instance of the command being run, whose options these are.
    .middleware(((argv: Arguments, instance: { getOptions(): OptionLists }) => {
      known = instance.getOptions();
      checkFlagShapes(argv, known, args);
    }) as never, true)
    .strict()
    .recommendCommands()
    .version(VERSION)
    .alias('h', 'help')
    .alias('V', 'version')
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((message, error) => {
      // yargs wraps what a flag's coerce threw (our own InputError) in a YError of the same message.
      if (error && error.name !== 'YError') throw error;
      const text = message ?? error?.message ?? 'bad command line';
      // Our messages name their flag first; yargs' own ("Unknown argument: sed") are put in our words.
      const flags = known === undefined ? [] : [...Object.keys(known.key), ...Object.values(known.alias).flat()];
      const command = invoked === undefined ? undefined : commandName(invoked);
      throw new ParseFailure(explainParseError(text, { args, commands: COMMANDS.map(commandName), command, usage: invoked?.command, flags, elsewhere: (name) => commandsWithFlag(name, command) }));
    });

  /**
   * Before it runs a command, yargs lays out the command's whole help text and keeps it, to show
   * should the handler fail (command.js, `cacheHelpMessage`) — even for a command without a handler,
   * to which it gives an empty one. The layout is quadratic in the options (string widths per cell):
   * 0.05–0.15 s of every `diaspora run`, more than the rest of the parsing. Our `fail` never shows
   * help and our handlers run after parsing, so nothing reads that text: keeping nothing skips it.
   * `--help` lays out its text when asked, as before. (An internal of yargs 17: without it, the
   * layout simply happens.)
   */
  const usage = (cli as unknown as { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?(): void } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage !== undefined) usage.cacheHelpMessage = () => {};

  try {
    const argv = await cli.parseAsync();
    await loaded?.handler(argv);
  } catch (error) {
    if (error instanceof ParseFailure) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    const { reportError } = await import('./exit.ts');
    process.exitCode = reportError(error);
  }
}
