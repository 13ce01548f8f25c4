/**
 * The commands of `diaspora`, listed without loading them. Each entry names a command and says
 * what it does — all that the top-level `--help` shows — and loads the command's module only when
 * that command runs. Loading every command module pulls in the simulator, the scenario schema and
 * every protocol, most of a second, which `diaspora --version` and `--help` must not pay.
 *
 * Guarantee: each entry's `command`, `describe` and `flags` equal those of the module it loads
 * (test/cli/commands.test.ts), so the listing cannot drift from the commands.
 */
import type { CommandModule } from 'yargs';

export interface LazyCommand {
  /** The yargs command string, e.g. `run <scenario>`. */
  readonly command: string;
  readonly describe: string;
  /**
   * The names of its flags and their aliases as its module declares them (without --help,
   * --version and the global --all-errors), so that a flag given to the wrong command can be
   * named as another's without loading the others.
   */
  readonly flags: readonly string[];
  readonly load: () => Promise<CommandModule<any, any>>;
}

export const COMMANDS: readonly LazyCommand[] = [
  {
    command: 'run <scenario>',
    describe: 'Run one scenario with one seed and check what its protocols promise',
    flags: ['seed', 's', 'set', 'out', 'o', 'force', 'trace', 't', 'viz', 'json', 'quiet', 'q', 'fail-vacuous', 'check-determinism', 'workers', 'w', 'partition-by', 'max-events'],
    load: async () => (await import('./run-command.ts')).runCommand,
  },
  {
    command: 'emulate <scenario>',
    describe: 'Run a scenario in real (scaled) time: a worker thread per node, real crashes, real files',
    flags: ['speed', 'duration', 'd', 'seed', 's', 'set', 'out', 'o', 'force', 'max-events', 'json', 'quiet', 'q', 'kafka', 'kafka-service', 'kafka-client-node', 'kafka-keep-workload'],
    load: async () => (await import('./emulate-command.ts')).emulateCommand,
  },
  {
    command: 'check <path>',
    describe: 'Run checkers over a saved trace (a run directory written with --trace, or a trace.jsonl)',
    flags: ['check', 'c', 'plugin', 'json', 'fail-vacuous'],
    load: async () => (await import('./check-command.ts')).checkCommand,
  },
  {
    command: 'viz <traces..>',
    describe: 'Draw runs as an interactive HTML timeline (several runs are stacked on one time axis)',
    flags: ['out', 'o', 'title', 'perfetto', 'shiviz', 'force'],
    load: async () => (await import('./viz-command.ts')).vizCommand,
  },
  {
    command: 'gallery',
    describe: 'Run every shipped scenario and drill and write a gallery page: lesson, thumbnail, command and timeline of each',
    flags: ['out', 'o', 'only', 'thumbnails', 'force'],
    load: async () => (await import('./gallery-command.ts')).galleryCommand,
  },
  {
    command: 'lab [scenario]',
    describe: 'Open the lab: run, step, break and inspect a scenario in the browser, then reproduce it from the CLI',
    flags: ['port', 'host', 'export', 'force'],
    load: async () => (await import('./lab-command.ts')).labCommand,
  },
  {
    command: 'compare <scenario>',
    describe: 'Run variants (strategies) on the same seeds and compare them with confidence intervals',
    flags: ['variant', 'strategies', 'baseline', 'seeds', 'set', 'jobs', 'j', 'out', 'o', 'force', 'max-events', 'quiet', 'q', 'skip-invalid', 'metrics', 'timelines'],
    load: async () => (await import('./compare-command.ts')).compareCommand,
  },
  {
    command: 'sweep <scenario>',
    describe: 'Run a grid of parameter values × variants × seeds; resumable, shardable across a cluster',
    flags: ['variant', 'strategies', 'baseline', 'seeds', 'set', 'jobs', 'j', 'out', 'o', 'force', 'max-events', 'quiet', 'q', 'skip-invalid', 'param', 'p', 'shard', 'timelines'],
    load: async () => (await import('./sweep-command.ts')).sweepCommand,
  },
  {
    command: 'merge <dirs..>',
    describe: 'Join the slices of a sharded sweep (--shard i/n) into the result of the whole sweep',
    flags: ['out', 'o', 'force'],
    load: async () => (await import('./merge-command.ts')).mergeCommand,
  },
  {
    command: 'replay <dir>',
    describe: 'Run a recorded run again from its resolved scenario and seed, and verify its trace hash',
    flags: [],
    load: async () => (await import('./replay-command.ts')).replayCommand,
  },
  {
    command: 'shrink <dir>',
    describe: 'Minimise the faults of a failing run and write the smallest failing scenario',
    flags: ['check', 'c', 'out', 'o', 'probes', 'force'],
    load: async () => (await import('./shrink-command.ts')).shrinkCommand,
  },
  {
    command: 'schema [plugins..]',
    describe: "Print the JSON Schema of scenario files, with the given plug-ins' sections, for an editor",
    flags: [],
    load: async () => (await import('./schema-command.ts')).schemaCommand,
  },
];

/** The commands other than `command` that know the flag `name` (a long name or an alias, as declared). */
export function commandsWithFlag(name: string, command: string | undefined): string[] {
  return COMMANDS.filter((entry) => commandName(entry) !== command && entry.flags.includes(name)).map(commandName);
}

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
