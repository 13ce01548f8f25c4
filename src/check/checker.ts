/**
 * What a checker is: a pure fold over the trace, from records to a verdict.
 *
 * The same checker runs online (fed records as the simulator writes them, so nothing is kept but
 * its own state) and offline (fed a trace file line by line); both give the same verdict because
 * they see the same records in the same order. A verdict lists named anomalies, each with the
 * records that prove it (`(a, n)` at time `t`), so a report can link to the timeline.
 *
 * A check that saw nothing to judge (no cut, no acknowledged event) passes, but is marked
 * `vacuous` with its reason, by one mechanism for every check: its definition says when
 * (`vacuous(stats)`), `verdictFor` marks the verdict, `failingVacuous` turns it into a failure
 * (`--fail-vacuous`), and reports print VACUOUS instead of PASS.
 *
 * A checker's stats are typed by its definition (`CheckerDefinition<{ lost: number }>`: write the
 * stats as a type literal, which fits the default `Record<string, number>` where checkers are
 * listed together), so code that runs one checker reads its numbers without casts.
 */
import type { Micros, Reads, TraceRecord } from '../kernel/contract/index.ts';

/** A record cited as evidence: where and when it happened. */
export interface Citation {
  a: string;
  n: number;
  t: Micros;
  k: string;
}

export interface Violation {
  /** The anomaly's name, as Jepsen and Elle name them: `lost`, `duplicate`, `nonmonotonic` … */
  anomaly: string;
  /** One sentence in stream terms: which events, offsets, crashes. */
  message: string;
  /** Event ids involved. */
  events?: string[];
  /** The records that prove it, earliest first. */
  cites: Citation[];
}

/** The numbers a checker reports beside its verdict (events seen, anomalies by kind …). */
export type CheckStats = Record<string, number>;

export interface Verdict<S extends CheckStats = CheckStats> {
  ok: boolean;
  /**
   * The check had nothing to judge — no cut, no acknowledged event — and passed only for that;
   * `vacuousReason` says why ("0 cuts"). Absent when it judged something. `--fail-vacuous` fails it.
   */
  vacuous?: true;
  vacuousReason?: string;
  violations: Violation[];
  /** How many violations there were in all (only the first `MAX_LISTED` are listed). */
  violationCount: number;
  stats: S;
}

/**
 * Its `Reads` (kinds, ops, a field it needs) say which records a run hands it: only those; none
 * declared, every record — for a fold that reads every record's time.
 */
export interface TraceChecker<S extends CheckStats = CheckStats> extends Reads {
  readonly name: string;
  /**
   * `numbers`: it is handed a pipeline's event ids as the run wrote them, small integers (it never
   * shows them, and would pay for names it does not read: an x-ray hour's 182,397 `state` steps).
   * Absent: as the trace file shows them, by name (kernel/event-names.ts) — what its messages and
   * `events` lists print.
   */
  readonly eventIds?: 'numbers';
  observe(record: TraceRecord): void;
  verdict(): Verdict<S>;
}

export interface CheckerDefinition<S extends CheckStats = CheckStats> {
  readonly name: string;
  /** What the check promises, in one sentence, for `--help` and reports. */
  readonly description: string;
  create(): TraceChecker<S>;
  /**
   * Why a passing verdict judged nothing, read from its stats ("0 cuts"), or undefined when it
   * judged something. A check that can pass without seeing anything declares it; `verdictFor`
   * marks such verdicts vacuous, for every check alike.
   */
  vacuous?(stats: S): string | undefined;
  /**
   * True when a violation found on a prefix of the trace stands whatever follows — two leaders in
   * one term, an offset skipped, replicas that disagree below the high watermark — so the verdict
   * on the records so far is already a verdict (the lab pauses on it). Unset for a check judged on
   * the end state (what the final read found, whether progress was made): its verdict before the
   * end means nothing.
   */
  readonly live?: true;
}

/** Verdicts list at most this many violations; the count says how many there were. */
export const MAX_LISTED = 20;

/** The checker's verdict, marked vacuous when it passed without judging anything (its definition's `vacuous`). */
export function verdictFor<S extends CheckStats>(definition: CheckerDefinition<S>, checker: TraceChecker<S>): Verdict<S> {
  const verdict = checker.verdict();
  const reason = verdict.ok ? definition.vacuous?.(verdict.stats) : undefined;
  return reason === undefined ? verdict : { ...verdict, vacuous: true, vacuousReason: reason };
}

/** `--fail-vacuous`: a vacuous verdict fails, with "checked nothing" as its one violation. */
export function failingVacuous<S extends CheckStats>(verdict: Verdict<S>): Verdict<S> {
  if (verdict.vacuous !== true) return verdict;
  return { ...verdict, ok: false, violations: [{ anomaly: 'vacuous', message: `checked nothing: ${verdict.vacuousReason}`, cites: [] }], violationCount: 1 };
}

/** The verdict in one word: PASS, FAIL, or VACUOUS (passed, having judged nothing). */
export function verdictWord(verdict: Verdict): 'PASS' | 'FAIL' | 'VACUOUS' {
  return !verdict.ok ? 'FAIL' : verdict.vacuous === true ? 'VACUOUS' : 'PASS';
}

/** What a terminal prints after the verdict word: why it is vacuous, then the stats. */
export function verdictDetail(verdict: Verdict): string {
  const stats = Object.entries(verdict.stats).map(([k, v]) => `${k} ${v}`).join(', ');
  return verdict.vacuous === true ? `checked nothing: ${verdict.vacuousReason}; ${stats}` : stats;
}

export function cite(record: TraceRecord): Citation {
  return { a: record.a, n: record.n, t: record.t, k: record.k };
}

export function verdictOf<S extends CheckStats>(violations: Violation[], stats: S): Verdict<S> {
  return { ok: violations.length === 0, violations: violations.slice(0, MAX_LISTED), violationCount: violations.length, stats };
}

/** The event ids a `client` record covers (an empty list when it has none). */
export function eventsOf(record: TraceRecord): readonly string[] {
  const events = record.events;
  return Array.isArray(events) ? (events as string[]) : [];
}
