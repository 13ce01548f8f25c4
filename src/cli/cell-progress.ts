/**
 * The progress of a study on stderr: on a terminal, a bar with the cells done of the total, how many
 * failed a check or errored, and the time left; elsewhere (a Slurm or PBS log, CI), one plain line
 * at each tenth of the way, so that a long job's log shows how far it got.
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

function progressLines(label: string): CellProgress {
  let shown = -1;
  const show = (t: Tally) => {
    const tenth = t.total === 0 ? 10 : Math.floor((t.done * 10) / t.total);
    if (tenth <= shown) return;
    shown = tenth;
    process.stderr.write(`${label}: ${t.done}/${t.total} cells, ${t.failedChecks} failed a check, ${t.errors} errored\n`);
  };
  return { start: show, update: show, stop: () => {} };
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
