/**
 * Runs checkers offline over a saved trace file, streaming it line by line: the same folds that ran
 * online during the run, so the verdicts are the same.
 *
 * Guarantee: verdicts only over a trace that is whole — it starts with its `meta` header, has at
 * least that record, no torn last line, and, when it belongs to a recorded run, exactly the
 * records and the hash its summary names, computed as the run computed it: for format 2 the digest
 * of the records' values (kernel/trace-hash.ts), for format 1 SHA-256 over the lines. How it fails:
 * an `InputError` saying which of these does not hold; no verdict is returned for a damaged or
 * foreign trace.
 */
import { createHash } from 'node:crypto';
import { verdictFor, type CheckerDefinition, type Verdict } from '../check/index.ts';
import { InputError, TraceHasher, type TraceRecord } from '../kernel/index.ts';
import { readTrace } from '../kernel/trace-reader.ts';
import { routeByKind } from './observe.ts';
import { type RecordedTrace, traceHeader } from './run-dir.ts';

export async function checkTraceFile(path: string, checks: readonly CheckerDefinition[], recorded?: RecordedTrace): Promise<Record<string, Verdict>> {
  const { format } = traceHeader(path);
  const checkers = checks.map((c) => c.create());
  const observe = routeByKind(checkers);
  const hash = traceHashOf(format);
  let records = 0;
  for await (const { record, text } of readTrace(path)) {
    records++;
    hash.add(record, text);
    observe(record);
  }
  if (recorded !== undefined) {
    const traceHash = hash.hex();
    if (records !== recorded.records || traceHash !== recorded.traceHash) {
      throw new InputError(
        `${path}: does not match ${recorded.source} (${records} records, hash ${traceHash.slice(0, 16)}; ${recorded.source} says ${recorded.records}, ${recorded.traceHash.slice(0, 16)}): ` +
          'the trace was cut, edited or comes from another run; check the trace file alone to judge it anyway',
      );
    }
  }
  const verdicts: Record<string, Verdict> = {};
  checkers.forEach((checker, i) => (verdicts[checker.name] = verdictFor(checks[i]!, checker)));
  return verdicts;
}

/** The trace hash of a format, fed record by record (the record and its line as read). */
function traceHashOf(format: number): { add(record: TraceRecord, line: string): void; hex(): string } {
  if (format === 1) {
    const sha = createHash('sha256');
    return { add: (_record, line) => sha.update(`${line}\n`), hex: () => sha.digest('hex') };
  }
  const hasher = new TraceHasher();
  return {
    add: (record) => {
      hasher.digest(record);
      hasher.foldLast();
    },
    hex: () => hasher.hex(),
  };
}
