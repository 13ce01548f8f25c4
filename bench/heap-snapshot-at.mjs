// Preload of `bench/xray.ts --heap DIR` (node --import): writes one V8 heap snapshot of the run in
// progress to $HEAP_SNAPSHOT_PATH, the first time V8's old space holds $HEAP_SNAPSHOT_MB megabytes
// — what survived young collections, which grows with what a run keeps (the whole heap in use
// counts young garbage too, and reaches any mark early in every run). A run lets the check in
// between its progress slices (src/exec/run.ts yields to the event loop), so the snapshot shows what
// the simulation keeps part-way through, not the empty heap a process has at its exit. The check is
// a timer of the preload's own, unref'd: the run ends when it would have, with or without a
// snapshot (a run whose old space stays below the mark writes none). A run that computes its
// fault-free reference first (cold cache) may reach the mark in that. bench/heap-summary.ts reads
// the file.
import { clearInterval, setInterval } from 'node:timers';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

const path = process.env.HEAP_SNAPSHOT_PATH;
const bytes = Number(process.env.HEAP_SNAPSHOT_MB) * 1e6;
if (path !== undefined && bytes > 0) {
  const check = setInterval(() => {
    if ((getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0) < bytes) return;
    clearInterval(check);
    writeHeapSnapshot(path);
  }, 100);
  check.unref();
}
