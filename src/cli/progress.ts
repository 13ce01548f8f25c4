/**
 * A progress bar over simulated time, drawn on stderr only when it is a terminal (never in pipes,
 * CI logs or `--json` output).
 */
import cliProgress from 'cli-progress';
import { formatMicros, type Micros } from '../kernel/index.ts';

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
