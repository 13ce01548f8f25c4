/**
 * One run of a scenario driven the way the lab's controls drive it: a step of one event, on to the
 * next record of some kinds (a message, a fault, a checkpoint), to a simulated time, or to the end,
 * each in slices so that a browser worker stays responsive. It is the same world `diaspora run`
 * builds (parse.ts, build.ts) and the same trace hash; it touches no file and no Node module, so it
 * runs in a Web Worker — and in a test under Node, which is how the lab's determinism is checked.
 *
 * Guarantee: however the run is cut into steps and slices, the records, the trace hash and the
 * summary are those of one straight run of the same text and seed (a pause changes nothing that
 * happens: kernel/simulator.ts). Rewinding is a new session from the same text and seed.
 *
 * How it fails: a scenario the schema refuses throws `InputError` from the constructor, with the
 * CLI's placed messages; a run that breaks an assertion throws from `advance` and the session is over.
 */
import type { Violation } from '../check/index.ts';
import { observeTrace, summarize, type ObservedTrace, type RunSummary } from '../exec/observe.ts';
import { TraceWriter, type Micros, type PendingEvent, type TraceRecord } from '../kernel/index.ts';
import { TraceEncoder } from '../report/timeline/encoder.ts';
import { buildRun, type PreparedRun } from '../scenario/build.ts';
import { parseScenario } from '../scenario/parse.ts';
import type { Scenario } from '../scenario/types.ts';

export interface SessionOptions {
  /** The scenario's YAML text, as `diaspora run` would read it. */
  readonly text: string;
  /** How messages name the file. */
  readonly file: string;
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** `path=value` overrides, as `diaspora run --set` takes them (the lab's "what if"). */
  readonly sets?: readonly string[];
  /** Recorded in the summary (the package version, which the page is given). */
  readonly version: string;
}

/** A live check that fails, with its violations (each citing the records that prove it). */
export interface LiveViolation {
  check: string;
  violations: Violation[];
}

/** Where `advance` stops. */
export type Stop =
  | { readonly until: 'end' }
  | { readonly until: 'events'; readonly count: number }
  | { readonly until: 'record'; readonly kinds: readonly string[] }
  | { readonly until: 'time'; readonly us: Micros };

/** How `advance` came back: its stop was reached, the run ended, or `yieldNow` asked for the thread back. */
export type Outcome = 'stopped' | 'ended' | 'yielded';

/** What the page shows about the run between slices. */
export interface SessionStatus {
  nowUs: Micros;
  endUs: Micros;
  events: number;
  records: number;
  done: boolean;
  /** The trace hash, once the run has ended. */
  traceHash: string | null;
  /** The last record written, if any. */
  last: TraceRecord | null;
}

export class LabSession {
  readonly scenario: Scenario;
  readonly prepared: PreparedRun;
  readonly encoder: TraceEncoder;
  private readonly observed: ObservedTrace;
  private last: TraceRecord | null = null;
  /** Record kinds the current `record` stop waits for, and whether one was written. */
  private waitingFor: ReadonlySet<string> | null = null;
  private matched = false;
  private result: RunSummary | null = null;
  private readonly started = Date.now();
  /** The names of the run's live checks (`failing` asks only them; the worker asks every few hundred events). */
  private readonly live: ReadonlySet<string>;

  constructor(readonly options: SessionOptions) {
    this.scenario = parseScenario(options.text, options.file, options.sets ?? []);
    this.prepared = buildRun(this.scenario, { trace: new TraceWriter(), ...(options.seed === undefined ? {} : { seed: options.seed }) });
    this.encoder = new TraceEncoder(options.file);
    this.observed = observeTrace(this.prepared, this.prepared.world.trace);
    this.live = new Set(this.prepared.checks.filter((definition) => definition.live === true).map((definition) => definition.name));
    // A one-parameter listener: records are not serialised for it (trace.ts). The timeline shows
    // records as the trace file would, a pipeline's numeric event ids by name.
    const trace = this.prepared.world.trace;
    trace.listen((written) => {
      const record = trace.named(written);
      this.encoder.add(record, this.encoder.records + 1);
      this.last = record;
      if (this.waitingFor?.has(record.k) === true) this.matched = true;
    });
  }

  get done(): boolean {
    return this.result !== null;
  }

  /** Runs until `stop`, the end, or `yieldNow()` (asked every few events) says to hand the thread back. */
  advance(stop: Stop, yieldNow: () => boolean = () => false): Outcome {
    if (this.result !== null) return 'ended';
    const { world, endUs } = this.prepared;
    let until = endUs;
    let every = 256;
    let reached = () => false;
    if (stop.until === 'time') until = Math.min(endUs, Math.max(stop.us, world.now()));
    if (stop.until === 'events') {
      const target = world.events + stop.count;
      every = 1;
      reached = () => world.events >= target;
    }
    if (stop.until === 'record') {
      this.waitingFor = new Set(stop.kinds);
      this.matched = false;
      every = 1;
      reached = () => this.matched;
    }
    try {
      const finished = world.advance({ until, progressEvery: every, pause: () => reached() || yieldNow() });
      if (!finished) return reached() ? 'stopped' : 'yielded';
      if (until < endUs) return 'stopped';
      this.finish();
      return 'ended';
    } finally {
      this.waitingFor = null;
    }
  }

  status(): SessionStatus {
    const { world, endUs } = this.prepared;
    return {
      nowUs: world.now(),
      endUs,
      events: world.events,
      records: this.encoder.records,
      done: this.result !== null,
      traceHash: this.result?.traceHash ?? null,
      last: this.last,
    };
  }

  /** The finished run's summary (the fields of `summary.json`), or null before the end. */
  summary(): RunSummary | null {
    return this.result;
  }

  /**
   * The live checks failing on the records so far: those whose violations stand whatever follows
   * (`CheckerDefinition.live`). A check judged on the end state (what the final read found) is
   * left out: before the end its verdict means nothing.
   */
  failing(): LiveViolation[] {
    if (this.live.size === 0) return [];
    const checks = this.observed.checks(this.live);
    return [...this.live].filter((name) => checks[name]?.ok === false).map((name) => ({ check: name, violations: checks[name]!.violations }));
  }

  /** An actor's own view of its state, its mailbox and pending timers, now. */
  inspect(actor: string): { up: boolean; node: string; state: unknown; pending: PendingEvent[] } {
    return this.prepared.world.inspectActor(actor);
  }

  /** The actors, with their nodes and sites, in the order the trace lists them. */
  actors(): Array<{ id: string; node: string; site: string; up: boolean }> {
    const world = this.prepared.world;
    return world.siteList().flatMap((site) => site.nodes.flatMap((node) => world.actorsOn(node).map((id) => ({ id, node, site: site.id, up: world.isActorUp(id) }))));
  }

  private finish(): void {
    const totals = this.prepared.world.finish();
    this.result = summarize(this.prepared, { ...totals, wallTimeMs: Date.now() - this.started }, this.observed, this.options.version);
  }
}
