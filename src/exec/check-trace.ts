/**
 * Runs checkers offline over a saved trace file, streaming it line by line: the same folds that ran
 * online during the run, so the verdicts are the same.
 *
 * Guarantee: verdicts only over a trace that is whole — it starts with its `meta` header, has at
 * least that record, no torn last line, ends with its end record (format 3 on: a trace cut exactly at
 * a line break is refused, never judged "ok"), whose record count and hash match the records read
 * (the hash recomputed from the records' values, kernel/trace-hash.ts: an edited record is
 * refused; a pipeline's event ids, names in the lines, are read back into the numbers the run
 * hashed, by the families its `meta` header lists), and, when it belongs to a recorded run, the
 * records and hash its summary names. Traces of formats 1, 2, 3 and 4 (the same lines, another
 * hash: SHA-256 of the lines, MurmurHash3 of the values, format 4's lanes over another encoding of
 * the values, format 5's over event ids as text) are read and judged alike, their ids as text,
 * but only their record count is compared with the summary: this version no longer computes
 * those hashes. How it fails: an `InputError` saying which of these does not hold; no verdict is
 * returned for a damaged or foreign trace.
 */
import { verdictFor, type CheckerDefinition, type Verdict } from '../check/index.ts';
import { InputError, TRACE_FORMAT_VERSION, TraceWriter, type EventNames, type TraceRecord } from '../kernel/index.ts';
import { numberedRecord } from '../kernel/event-names.ts';
import { EventIds, type IdFamily } from '../kernel/index.ts';
import { readTrace, type TraceEnd } from '../kernel/trace-reader.ts';
import { type RecordedTrace, traceHeader } from './run-dir.ts';

/** `onRecord`: called with the count of records read so far, after each (for a progress bar). */
export async function checkTraceFile(path: string, checks: readonly CheckerDefinition[], recorded?: RecordedTrace, onRecord?: (records: number) => void): Promise<Record<string, Verdict>> {
  const { format } = traceHeader(path);
  const checkers = checks.map((c) => c.create());
  // The records written again, without a file: the writer hands each to the checkers that read its
  // kind, as it did during the run, counts them and hashes them.
  const trace = new TraceWriter();
  // As during the run (exec/observe.ts): a checker sees a pipeline's event ids by name unless it takes the numbers.
  for (const checker of checkers) trace.listen(checker.eventIds === 'numbers' ? (record) => checker.observe(record) : (record) => checker.observe(trace.named(record)), checker);
  let end: TraceEnd | undefined;
  // A pipeline's event ids are numbers in the records the run hashed and its checkers read, names
  // in the file's lines: read back by the families its header describes (kernel/event-names.ts).
  let names: EventNames | undefined;
  for await (const { record } of readTrace(path, { onEnd: (e) => (end = e) })) {
    if (record.k === 'meta' && format === TRACE_FORMAT_VERSION && Array.isArray(record.eventIds)) trace.nameEvents((names = new EventIds(record.eventIds as IdFamily[])));
    trace.write(names === undefined ? record : numberedRecord(record as TraceRecord, names));
    onRecord?.(trace.records);
  }
  const records = trace.records;
  // Only this version's format has a hash this version computes: an older trace's records hash to
  // something its end record and summary never held, so that hash is not compared.
  const traceHash = format === TRACE_FORMAT_VERSION ? trace.close() : undefined;
  // The reader checked the end record's count; its hash is checked here, where it is computed.
  if (end !== undefined && traceHash !== undefined && end.hash !== traceHash) {
    throw new InputError(`${path}: its records hash to ${traceHash.slice(0, 16)}, its end record says ${end.hash.slice(0, 16)}: a record was edited`);
  }
  if (recorded !== undefined) {
    if (records !== recorded.records || (traceHash !== undefined && traceHash !== recorded.traceHash)) {
      const [ours, theirs] = traceHash === undefined ? ['', ''] : [`, hash ${traceHash.slice(0, 16)}`, `, ${recorded.traceHash.slice(0, 16)}`];
      throw new InputError(
        `${path}: does not match ${recorded.source} (${records} records${ours}; ${recorded.source} says ${recorded.records}${theirs}): ` +
          'the trace was cut, edited or comes from another run; check the trace file alone to judge it anyway',
      );
    }
  }
  const verdicts: Record<string, Verdict> = {};
  checkers.forEach((checker, i) => (verdicts[checker.name] = verdictFor(checks[i]!, checker)));
  return verdicts;
}
