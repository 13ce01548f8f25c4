/**
 * Progress bars over simulated time (a run) and over a trace's records (`check`), drawn on stderr
 * only when it is a terminal (never in pipes, CI logs or `--json` output).
 */
import cliProgress from 'cli-progress';
import { formatMicros, type Micros } from '../kernel/contract/index.ts';

export interface Progress {
  update(nowUs: Micros, endUs: Micros): void;
  stop(): void;
}

const SILENT: Progress = { update: () => {}, stop: () => {} };

export function simulatedTimeProgress(label: string, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | simulated {now} of {end} | {duration_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(nowUs, endUs) {
      const payload = { now: formatMicros(nowUs), end: formatMicros(endUs) };
      if (!started) {
        bar.start(endUs, nowUs, payload);
        started = true;
      } else {
        bar.update(nowUs, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Records of a trace judged offline, of `total` when the run's summary says how many. */
export function recordProgress(label: string, total: number | undefined, enabled: boolean): { update(records: number): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const known = total !== undefined && total > 0;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: known ? `${label} [{bar}] {percentage}% | {value}/{total} records | {duration_formatted}` : `${label} {value} records | {duration_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(known ? total : 0, 0);
  return {
    // Every 4,096 records: a bar redrawn per record would cost more than the checking.
    update: (records) => {
      if ((records & 4095) === 0) bar.update(records);
    },
    stop: () => bar.stop(),
  };
}
