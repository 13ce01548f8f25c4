/**
 * The progress of a study on stderr: on a terminal, a bar with the cells done of the total, how many
 * failed a check or errored, and the time left; elsewhere (a pipe, a Slurm or PBS log, CI), plain
 * whole lines and never a carriage return — one at each tenth of the way, and one whenever a cell
 * finished after a minute without a line — so that a long job's log shows how far it got and a
 * short one's is not flooded. `--quiet` silences both.
 */
import cliProgress from 'cli-progress';
import type { Tally } from '../exec/sweep.ts';

export interface CellProgress {
  start(tally: Tally): void;
  update(tally: Tally): void;
  stop(): void;
}

const SILENT: CellProgress = { start: () => {}, update: () => {}, stop: () => {} };

export function cellProgress(label: string, enabled: boolean): CellProgress {
  if (!enabled) return SILENT;
  return process.stderr.isTTY ? progressBar(label) : progressLines(label);
}

/** A log gets a line at most this long after the last one, if a cell finished meanwhile. */
const LOG_EVERY_MS = 60_000;

function progressLines(label: string): CellProgress {
  let shownTenth = -1;
  let shownAt = 0;
  let startedAt = 0;
  let startDone = 0;
  const line = (t: Tally) => {
    const elapsed = performance.now() - startedAt;
    // Time left from this run's own pace: resumed cells took no time here.
    const ran = t.done - startDone;
    const left = ran > 0 && t.done < t.total ? ` · about ${clock((elapsed / ran) * (t.total - t.done))} left` : '';
    const percent = t.total === 0 ? 100 : Math.floor((t.done * 100) / t.total);
    process.stderr.write(`${label}: ${t.done}/${t.total} cells (${percent}%), ${t.failedChecks} failed a check, ${t.errors} errored · ${clock(elapsed)}${left}\n`);
    shownAt = performance.now();
  };
  return {
    start(t) {
      startedAt = performance.now();
      shownAt = startedAt;
      startDone = t.done;
      shownTenth = t.total === 0 ? 10 : Math.floor((t.done * 10) / t.total);
    },
    update(t) {
      const tenth = t.total === 0 ? 10 : Math.floor((t.done * 10) / t.total);
      if (tenth > shownTenth || performance.now() - shownAt >= LOG_EVERY_MS) {
        shownTenth = Math.max(shownTenth, tenth);
        line(t);
      }
    },
    stop: () => {},
  };
}

/** `45s`, `12m05s`, `3h07m`: a log's reader wants minutes, not milliseconds. */
function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function progressBar(label: string): CellProgress {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} cells | {failedChecks} failed a check | {errors} errored | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (t: Tally) => ({ failedChecks: t.failedChecks, errors: t.errors });
  let started = false;
  return {
    start(tally) {
      bar.start(tally.total, tally.done, payload(tally));
      started = true;
    },
    update(tally) {
      if (started) bar.update(tally.done, payload(tally));
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
