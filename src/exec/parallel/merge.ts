/**
 * The k-way merge of one window's trace records from every partition into the one trace.
 *
 * Each partition's records arrive in its own dispatch order, which is the order of their tags
 * (time, order, step, index); merging by tag therefore yields the single-thread trace, byte for
 * byte. Windows follow each other in time, so merging window by window keeps the whole trace in
 * order while holding only one window in memory.
 *
 * How it fails: two partitions claiming the same place in the trace (equal tags) means a world
 * action wrote records at actors of two partitions without a step between them — the kernel cannot
 * tell their single-thread order — so the run stops with an error naming the event, rather than
 * guess.
 */
import type { TraceWriter } from '../../kernel/index.ts';
import { unpackOrder } from '../../kernel/event-queue.ts';
import { TAG_WIDTH, type RecordBatch } from './protocol.ts';

/** -1, 0 or 1 as tag `i` of `a` sorts before, with or after tag `j` of `b`. */
function compareTags(a: Float64Array, i: number, b: Float64Array, j: number): number {
  for (let f = 0; f < 4; f++) {
    const d = a[i * TAG_WIDTH + f] - b[j * TAG_WIDTH + f];
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Writes the records of `batches` to `trace` in tag order; returns how many were written. */
export function mergeWindow(batches: readonly RecordBatch[], trace: TraceWriter): number {
  const live = batches.filter((b) => b.tags.length > 0);
  if (live.length === 1) return writeAll(live[0], trace);
  const cursor = new Array<number>(live.length).fill(0);
  const sizes = live.map((b) => b.tags.length / TAG_WIDTH);
  let written = 0;
  for (;;) {
    let best = -1;
    for (let k = 0; k < live.length; k++) {
      if (cursor[k] >= sizes[k]) continue;
      if (best < 0) {
        best = k;
        continue;
      }
      const c = compareTags(live[k].tags, cursor[k], live[best].tags, cursor[best]);
      if (c === 0) throw sameplace(live[k], cursor[k]);
      if (c < 0) best = k;
    }
    if (best < 0) return written;
    writeOne(live[best], cursor[best]++, trace);
    written++;
  }
}

function writeAll(batch: RecordBatch, trace: TraceWriter): number {
  const n = batch.tags.length / TAG_WIDTH;
  for (let i = 0; i < n; i++) writeOne(batch, i, trace);
  return n;
}

function writeOne(batch: RecordBatch, i: number, trace: TraceWriter): void {
  const tags = batch.tags;
  const at = i * TAG_WIDTH;
  const start = i === 0 ? 0 : tags[at - TAG_WIDTH + 4];
  // The line without its newline: the trace writer adds it, as it does for its own records.
  trace.writeSerialized(batch.text.slice(start, tags[at + 4] - 1), tags[at + 5], tags[at + 6]);
}

function sameplace(batch: RecordBatch, i: number): Error {
  const t = batch.tags;
  const { origin, seq } = unpackOrder(t[i * TAG_WIDTH + 1]);
  return new Error(
    `two partitions wrote trace records for the same place (event at ${t[i * TAG_WIDTH]}us, origin #${origin} seq ${seq}, ` +
      `step ${t[i * TAG_WIDTH + 2]}, index ${t[i * TAG_WIDTH + 3]}): a world action wrote records at actors of two partitions ` +
      `without a crash or restart between them, so their single-thread order is unknown; run it in one thread or with one partition`,
  );
}
