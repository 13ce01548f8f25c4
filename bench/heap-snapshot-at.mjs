// Preload of `bench/xray.ts --heap DIR` (node --import): writes one V8 heap snapshot of the run in
// progress to $HEAP_SNAPSHOT_PATH, the first time the heap in use reaches $HEAP_SNAPSHOT_MB
// megabytes. A run lets the check in between its progress slices (src/exec/run.ts yields to the
// event loop), so the snapshot shows what the simulation keeps part-way through, not the empty heap
// a process has at its exit. The check is a timer of the preload's own, unref'd: the run ends
// when it would have, with or without a snapshot taken (a run whose heap stays below the mark
// writes none). bench/heap-summary.ts reads the file.
import { clearInterval, setInterval } from 'node:timers';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';

const path = process.env.HEAP_SNAPSHOT_PATH;
const bytes = Number(process.env.HEAP_SNAPSHOT_MB) * 1e6;
if (path !== undefined && bytes > 0) {
  const check = setInterval(() => {
    if (getHeapStatistics().used_heap_size < bytes) return;
    clearInterval(check);
    writeHeapSnapshot(path);
  }, 100);
  check.unref();
}
