/**
 * `writeTimeline`: one or more run traces → one self-contained, interactive HTML timeline
 * (time-space diagram, panels, playback; several runs stacked on one time axis for comparison).
 *
 * Guarantee: the traces are streamed line by line into a compact columnar form (see
 * `viz/wire/wire.ts`); nothing larger than that form is held. The page is a pure function of the
 * traces and the title, and is written atomically.
 *
 * How it fails: a missing, empty or malformed trace is an `InputError` naming the file (and line);
 * nothing is written then. A trace cut short (no end record, kernel/trace-reader.ts) is drawn as
 * far as it goes when `onCut` is given (which is told), and refused otherwise. A trace whose records
 * do not hash to its end record (edited by hand) is drawn as it is; `onEdited`, if given, is told.
 */
import { stat } from 'node:fs/promises';
import { InputError } from '../kernel/contract/index.ts';
import { readTrace } from '../kernel/trace-reader.ts';
import { TraceEncoder } from './timeline/encoder.ts';
import { writePage } from './timeline/page.ts';
import { readVerdicts } from './timeline/verdicts.ts';
import { readRunNumbers } from './timeline/run-numbers.ts';
import { readMinInsync } from './timeline/min-insync.ts';

export interface TimelineOptions {
  /** Trace files (`trace.jsonl`), one per run; several runs are stacked for comparison. */
  traces: string[];
  /** The HTML file to write. */
  out: string;
  /** The page title; by default built from the scenario names. */
  title?: string;
  /** How the page names each run (parallel to `traces`); the trace paths by default. */
  labels?: string[];
  /** Told that a trace was cut short, which is then drawn as far as it goes; without it such a trace is refused. */
  onCut?: (message: string) => void;
  /** Told that a trace's records do not hash to its end record (it was edited); it is drawn as it is. */
  onEdited?: (message: string) => void;
}

export interface TimelineResult {
  out: string;
  /** Size of the written page. */
  bytes: number;
  /** Trace records read, over all traces (meta headers included). */
  records: number;
}

export async function writeTimeline(options: TimelineOptions): Promise<TimelineResult> {
  if (options.traces.length === 0) throw new InputError('viz: no trace given');
  const payloads: Uint8Array[] = [];
  const scenarios: string[] = [];
  let records = 0;
  for (const [index, path] of options.traces.entries()) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) throw new InputError(`${path}: no such file`);
    if (!info.isFile()) throw new InputError(`${path}: not a trace file`);
    const encoder = new TraceEncoder(path, options.labels?.[index]);
    encoder.verdicts = await readVerdicts(path);
    encoder.numbers = await readRunNumbers(path);
    encoder.minInsync = await readMinInsync(path);
    for await (const { record, line } of readTrace(path, { onCut: options.onCut, onEdited: options.onEdited })) encoder.add(record, line);
    if (encoder.records === 0) throw new InputError(`${path}: the trace is empty`);
    records += encoder.records;
    scenarios.push(encoder.scenario ?? path);
    payloads.push(await encoder.finish());
  }
  const title = options.title ?? defaultTitle(scenarios);
  const bytes = await writePage(options.out, title, payloads);
  return { out: options.out, bytes, records };
}

function defaultTitle(scenarios: string[]): string {
  const distinct = [...new Set(scenarios)];
  if (scenarios.length === 1) return `Timeline of ${scenarios[0]}`;
  return `Comparison of ${scenarios.length} runs of ${distinct.join(' and ')}`;
}
