/**
 * The checkers' verdicts of a run, for the timeline: read from the `summary.json` that a run
 * directory keeps beside its `trace.jsonl`, flattened to one entry per violation.
 *
 * Guarantee: the page gets what the checkers decided, not a second opinion — a bare trace (no
 * summary beside it) has no verdicts rather than ones recomputed here, since the offline checkers
 * need the scenario's reference run and cost as much as the run itself. How it fails: a summary
 * that is not JSON, or is of another shape, is an `InputError` naming the file.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../../kernel/contract/index.ts';
import type { EvidenceCite, TimelineVerdict } from '../../../viz/wire/annotations.ts';

interface SummaryViolation {
  anomaly?: unknown;
  message?: unknown;
  events?: unknown;
  cites?: unknown;
}

const isCite = (c: unknown): c is EvidenceCite =>
  typeof c === 'object' && c !== null && typeof (c as EvidenceCite).a === 'string' && Number.isFinite((c as EvidenceCite).n) && Number.isFinite((c as EvidenceCite).t);

/** The violations listed in the summary beside `tracePath`, or null when there is no summary. */
export async function readVerdicts(tracePath: string): Promise<TimelineVerdict[] | null> {
  const path = join(dirname(tracePath), 'summary.json');
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return null;
  let summary: { checks?: Record<string, { violations?: SummaryViolation[] }> };
  try {
    summary = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not JSON (${(error as Error).message})`);
  }
  if (typeof summary !== 'object' || summary === null) throw new InputError(`${path}: expected a run summary object`);
  const verdicts: TimelineVerdict[] = [];
  for (const [check, verdict] of Object.entries(summary.checks ?? {})) {
    for (const v of Array.isArray(verdict?.violations) ? verdict.violations : []) {
      verdicts.push({
        check,
        anomaly: typeof v.anomaly === 'string' ? v.anomaly : 'violation',
        message: typeof v.message === 'string' ? v.message : '',
        events: Array.isArray(v.events) ? v.events.map(String) : [],
        cites: Array.isArray(v.cites) ? v.cites.filter(isCite).map(({ a, n, t, k }) => ({ a, n, t, k: String(k) })) : [],
      });
    }
  }
  return verdicts;
}
