/**
 * `diaspora viz <run-dir | trace.jsonl>… [-o timeline.html]`: draws one run, or several stacked on
 * one time axis for comparison, as a self-contained interactive HTML timeline.
 *
 * A run directory stands for its `trace.jsonl`. Without `-o`, one run's timeline is written next to
 * its trace (`timeline.html` in the run directory, or `<name>.html` beside another trace file) and
 * a comparison to `timeline.html` in the current directory. Bad input (a missing path, a directory
 * without a trace, a malformed trace, one run named twice) is an `InputError`: one line, exit code 2. `--perfetto out.json`
 * writes one run as Chrome trace-event JSON for Perfetto, and `--shiviz out.log` one run as a
 * ShiViz log with vector clocks, instead of the page (both may be given at once). A trace cut short
 * (no end record: a killed run, a truncated copy) is drawn as far as it goes, with a warning on
 * stderr — looking at what a run did before it died is the point — whereas `check` refuses it.
 *
 * An edited trace — a record changed by hand, so the records no longer hash to the trace's end
 * record, or the end record no longer says what the run's summary.json says — is drawn too, with
 * one warning line per file on stderr naming the hash it has and the one it should have; exit 0.
 * Why draw rather than refuse: the hash is a promise of `run` and `check` (a verdict over an edited
 * trace would be a verdict about no run, and `check` refuses it), but a drawing claims no verdict
 * and editing a trace to see how a change would look, or looking at a suspect trace to find what
 * was changed, are what viz is for. The warning keeps the drawing from passing for the run's own.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../kernel/contract/index.ts';
import { TRACE_FORMAT_VERSION } from '../kernel/index.ts';
import { writePerfetto } from '../report/perfetto.ts';
import { writeShiViz } from '../report/shiviz.ts';
import { writeTimeline } from '../report/timeline.ts';
import { runToCheck, traceHeader } from '../exec/run-dir.ts';
import { requireDistinct } from './distinct-paths.ts';
import { reportError } from './exit.ts';
import { requireExisting } from './file-problem.ts';
import { FORCE_OPTION, prepareFile, targetLabel } from './output-options.ts';

interface VizArgs {
  traces: string[];
  out?: string;
  title?: string;
  perfetto?: string;
  shiviz?: string;
  force: boolean;
}

export const vizCommand: CommandModule<object, VizArgs> = {
  command: 'viz <traces..>',
  describe: 'Draw runs as an interactive HTML timeline (several runs are stacked on one time axis)',
  builder: (yargs: Argv) =>
    yargs
      .positional('traces', { type: 'string', array: true, demandOption: true, describe: 'Run directories (written with --trace) or trace.jsonl files' })
      .option('out', { alias: 'o', type: 'string', describe: 'HTML file to write (default: timeline.html next to a single run, or in the current directory)' })
      .option('title', { type: 'string', describe: 'Page title (default: from the scenario names)' })
      .option('perfetto', { type: 'string', describe: 'Write one run as Chrome trace-event JSON to this file (open it in ui.perfetto.dev) instead of the page' })
      .option('shiviz', { type: 'string', describe: 'Write one run as a ShiViz log (vector clocks; its parser regex is the first line) to this file instead of the page' })
      .options(FORCE_OPTION)
      .example('$0 viz results/beamline-store/<run-id>', "Write the run's timeline.html next to its trace")
      .example('$0 viz runA runB -o compare.html', 'Two strategies on the same seed, one above the other')
      .example('$0 viz runA --perfetto runA.json', 'The run for Perfetto: a track per actor, flows for messages, faults as spans, gauges as counters')
      .example('$0 viz runA --shiviz runA.log', 'The run for ShiViz: load the file; its first line is the parser regex') as unknown as Argv<VizArgs>,
  handler: async (args) => {
    try {
      const traces = args.traces.map(traceOf);
      requireDistinct('viz', 'run', args.traces, traces);
      for (const path of args.traces) warnIfNotRecorded(path);
      if (args.perfetto !== undefined || args.shiviz !== undefined) {
        const flags = [args.perfetto !== undefined ? '--perfetto' : '', args.shiviz !== undefined ? '--shiviz' : ''].filter(Boolean).join(' and ');
        if (traces.length !== 1) throw new InputError(`viz ${flags}: exactly one run, got ${traces.length}`);
        // The page's own options would be ignored: the user would look for a page that was never written.
        const pageOption = args.out !== undefined ? `-o ${args.out}` : args.title !== undefined ? `--title ${args.title}` : undefined;
        // An empty --perfetto (its value forgotten: `--perfetto -o x.json`) is told as such first, below.
        if (pageOption !== undefined && args.perfetto !== '' && args.shiviz !== '') throw new InputError(`${pageOption}: is for the HTML page, and with ${flags} viz writes no page; leave it out, or run viz again for the page`);
        // Both names are judged before either file is written: a refusal leaves nothing half done.
        const releases: (() => void)[] = [];
        try {
          if (args.perfetto !== undefined) releases.push(prepareFile(args.perfetto, targetLabel('--perfetto', args.perfetto, args.perfetto), 'perfetto', args.force, true));
          if (args.shiviz !== undefined) releases.push(prepareFile(args.shiviz, targetLabel('--shiviz', args.shiviz, args.shiviz), 'shiviz', args.force, true));
          if (args.perfetto !== undefined) {
            const written = await writePerfetto(traces[0], args.perfetto, warnCut, warnEdited);
            process.stdout.write(`wrote ${written.out} (${written.records.toLocaleString('en-US')} records); open it in ui.perfetto.dev\n`);
          }
          if (args.shiviz !== undefined) {
            const written = await writeShiViz(traces[0], args.shiviz, warnCut, warnEdited);
            process.stdout.write(`wrote ${written.out} (${written.events.toLocaleString('en-US')} events); load it in ShiViz — its first line is the parser regex, the delimiter is empty\n`);
          }
        } finally {
          for (const release of releases) release();
        }
        return;
      }
      const out = args.out ?? defaultOut(args.traces);
      const release = prepareFile(out, targetLabel('-o', args.out, out), 'timeline', args.force, true);
      const result = await writeTimeline({ traces, out, title: args.title, onCut: warnCut, onEdited: warnEdited }).finally(release);
      process.stdout.write(`wrote ${result.out} (${(result.bytes / 1e6).toFixed(2)} MB, ${result.records.toLocaleString('en-US')} records); open it in a browser\n`);
    } catch (error) {
      process.exitCode = reportError(error);
    }
  },
};

/** A trace cut short is still drawn, as far as it goes, with a warning: looking at what a killed run did is what one wants. */
function warnCut(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/** An edited trace is still drawn, with a warning: see the module doc. */
function warnEdited(message: string): void {
  process.stderr.write(`warning: ${message}; drawn as it is\n`);
}

/**
 * For a run directory: warns when its trace's end record is not what its summary.json recorded
 * (the reader checks the records against the end record; this checks the end record against the
 * run). Only this version's format: older hashes are not comparable with the summary's.
 */
function warnIfNotRecorded(path: string): void {
  if (!statSync(path).isDirectory()) return;
  const { trace, recorded } = runToCheck(path);
  if (recorded === undefined || traceHeader(trace).format !== TRACE_FORMAT_VERSION) return;
  const end = endRecordOf(trace);
  if (end === undefined || (end.records === recorded.records && end.hash === recorded.traceHash)) return;
  process.stderr.write(
    `warning: ${trace}: its end record says ${end.records} records, hash ${end.hash.slice(0, 16)}; ${recorded.source} says ${recorded.records}, ${recorded.traceHash.slice(0, 16)}: ` +
      'the trace was edited or comes from another run; drawn as it is\n',
  );
}

/** The end record of a trace (its last line), if it has one. */
function endRecordOf(trace: string): { records: number; hash: string } | undefined {
  const fd = openSync(trace, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    const last = tail.toString('utf8').trimEnd().split('\n').pop() ?? '';
    const record = JSON.parse(last) as { k?: unknown; records?: unknown; hash?: unknown };
    return record.k === 'end' && typeof record.records === 'number' && typeof record.hash === 'string' ? { records: record.records, hash: record.hash } : undefined;
  } catch {
    return undefined; // not JSON: a torn or cut trace, which the reader names
  } finally {
    closeSync(fd);
  }
}

/** The trace file a command-line argument names: itself, or a run directory's `trace.jsonl`. */
export function traceOf(path: string): string {
  requireExisting(path);
  if (!statSync(path).isDirectory()) return path;
  // A run directory is read as `check` reads it: damaged or mixed files are named, not drawn.
  return runToCheck(path).trace;
}

function defaultOut(inputs: string[]): string {
  if (inputs.length > 1) return 'timeline.html';
  const input = inputs[0];
  if (statSync(input).isDirectory()) return join(input, 'timeline.html');
  // A run's own trace.jsonl gets the run's timeline.html; any other trace file its own name.
  const name = basename(input) === 'trace.jsonl' ? 'timeline' : basename(input, extname(input));
  return join(dirname(input), `${name}.html`);
}
