/**
 * Runs checkers offline over a saved trace file, streaming it line by line: the same folds that ran
 * online during the run, so the verdicts are the same.
 */
import type { CheckerDefinition, Verdict } from '../check/index.ts';
import { readTrace } from '../kernel/trace-reader.ts';

export async function checkTraceFile(path: string, checks: readonly CheckerDefinition[]): Promise<Record<string, Verdict>> {
  const checkers = checks.map((c) => c.create());
  for await (const { record } of readTrace(path)) for (const checker of checkers) checker.observe(record);
  const verdicts: Record<string, Verdict> = {};
  for (const checker of checkers) verdicts[checker.name] = checker.verdict();
  return verdicts;
}
