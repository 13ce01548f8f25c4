/**
 * Runs checkers offline over a saved trace file, streaming it line by line: the same folds that ran
 * online during the run, so the verdicts are the same.
 *
 * Guarantee: verdicts only over a trace that is whole — it starts with its `meta` header, has at
 * least that record, no torn last line, and, when it belongs to a recorded run, exactly the
 * records and the hash its summary names (the hash is SHA-256 over the file's bytes, as the run
 * computed it). How it fails: an `InputError` saying which of these does not hold; no verdict is
 * returned for a damaged or foreign trace.
 */
import { createHash } from 'node:crypto';
import { verdictFor, type CheckerDefinition, type Verdict } from '../check/index.ts';
import { InputError } from '../kernel/index.ts';
import { readTrace } from '../kernel/trace-reader.ts';
import { type RecordedTrace, traceHeader } from './run-dir.ts';

export async function checkTraceFile(path: string, checks: readonly CheckerDefinition[], recorded?: RecordedTrace): Promise<Record<string, Verdict>> {
  traceHeader(path);
  const checkers = checks.map((c) => c.create());
  const hash = createHash('sha256');
  let records = 0;
  for await (const { record, text } of readTrace(path)) {
    records++;
    hash.update(`${text}\n`);
    for (const checker of checkers) checker.observe(record);
  }
  if (recorded !== undefined) {
    const traceHash = hash.digest('hex');
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
