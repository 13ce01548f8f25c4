/**
 * The commands of `diaspora`, listed without loading them. Each entry names a command and says
 * what it does — all that the top-level `--help` shows — and loads the command's module only when
 * that command runs. Loading every command module pulls in the simulator, the scenario schema and
 * every protocol, most of a second, which `diaspora --version` and `--help` must not pay.
 *
 * Guarantee: each entry's `command` and `describe` equal those of the module it loads
 * (test/cli/commands.test.ts), so the listing cannot drift from the commands.
 */
import type { CommandModule } from 'yargs';

export interface LazyCommand {
  /** The yargs command string, e.g. `run <scenario>`. */
  readonly command: string;
  readonly describe: string;
  readonly load: () => Promise<CommandModule<any, any>>;
}

export const COMMANDS: readonly LazyCommand[] = [
  {
    command: 'run <scenario>',
    describe: 'Run one scenario with one seed and check what its protocols promise',
    load: async () => (await import('./run-command.ts')).runCommand,
  },
  {
    command: 'emulate <scenario>',
    describe: 'Run a scenario in real (scaled) time: a worker thread per node, real crashes, real files',
    load: async () => (await import('./emulate-command.ts')).emulateCommand,
  },
  {
    command: 'check <path>',
    describe: 'Run checkers over a saved trace (a run directory written with --trace, or a trace.jsonl)',
    load: async () => (await import('./check-command.ts')).checkCommand,
  },
  {
    command: 'viz <traces..>',
    describe: 'Draw runs as an interactive HTML timeline (several runs are stacked on one time axis)',
    load: async () => (await import('./viz-command.ts')).vizCommand,
  },
  {
    command: 'gallery',
    describe: 'Run every shipped scenario and drill and write a gallery page: lesson, thumbnail, command and timeline of each',
    load: async () => (await import('./gallery-command.ts')).galleryCommand,
  },
  {
    command: 'lab [scenario]',
    describe: 'Open the lab: run, step, break and inspect a scenario in the browser, then reproduce it from the CLI',
    load: async () => (await import('./lab-command.ts')).labCommand,
  },
  {
    command: 'compare <scenario>',
    describe: 'Run variants (strategies) on the same seeds and compare them with confidence intervals',
    load: async () => (await import('./compare-command.ts')).compareCommand,
  },
  {
    command: 'sweep <scenario>',
    describe: 'Run a grid of parameter values × variants × seeds; resumable, shardable across a cluster',
    load: async () => (await import('./sweep-command.ts')).sweepCommand,
  },
  {
    command: 'merge <dirs..>',
    describe: 'Join the slices of a sharded sweep (--shard i/n) into the result of the whole sweep',
    load: async () => (await import('./merge-command.ts')).mergeCommand,
  },
  {
    command: 'replay <dir>',
    describe: 'Run a recorded run again from its resolved scenario and seed, and verify its trace hash',
    load: async () => (await import('./replay-command.ts')).replayCommand,
  },
  {
    command: 'shrink <dir>',
    describe: 'Minimise the faults of a failing run and write the smallest failing scenario',
    load: async () => (await import('./shrink-command.ts')).shrinkCommand,
  },
  {
    command: 'schema [plugins..]',
    describe: "Print the JSON Schema of scenario files, with the given plug-ins' sections, for an editor",
    load: async () => (await import('./schema-command.ts')).schemaCommand,
  },
];

/** A command's name: the first word of its command string. */
export const commandName = (command: LazyCommand): string => command.command.split(' ')[0];

/**
 * The command the arguments invoke: the first argument that names one. (No option of ours comes
 * before the command, so the first name found is the command, not an option's value.)
 */
export function invokedCommand(args: readonly string[]): LazyCommand | undefined {
  for (const arg of args) {
    const found = COMMANDS.find((c) => commandName(c) === arg);
    if (found !== undefined) return found;
  }
  return undefined;
}
