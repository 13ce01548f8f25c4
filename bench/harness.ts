/**
 * What the kernel benchmarks share (bench/kernel.ts, bench/phold.ts): the bare loop they compare
 * the kernel with — a struct-of-arrays binary heap of (time, seq) keys with an int payload, no
 * framework at all — and the measuring and printing around it: wall and CPU time of a stretch of
 * work, medians, Markdown tables.
 *
 * CPU time is `process.cpuUsage()` of the whole process (every thread, the garbage collector's
 * helpers too): on a shared machine it varies far less than wall time, since it does not count
 * the time other processes held the cores. It still grows when another process shares a core's
 * caches (or its hyperthread sibling), so ratios are measured side by side, alternating, in one run.
 *
 * Wall-clock time is read here on purpose: this is benchmark code, outside any simulation.
 */
import { performance } from 'node:perf_hooks';

/** A min-heap of (time, seq) keys with an int payload, in three typed arrays; `capacity` is fixed. */
export class BareHeap {
  private readonly times: Float64Array;
  private readonly seqs: Float64Array;
  private readonly payloads: Int32Array;
  size = 0;
  /** The time of the event `pop` returned last. */
  poppedTime = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.payloads = new Int32Array(capacity);
  }

  /** Time of the earliest event; only meaningful when `size > 0`. */
  peekTime(): number {
    return this.times[0];
  }

  push(time: number, seq: number, payload: number): void {
    const { times, seqs, payloads } = this;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (times[p] < time || (times[p] === time && seqs[p] < seq)) break;
      times[i] = times[p];
      seqs[i] = seqs[p];
      payloads[i] = payloads[p];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    payloads[i] = payload;
  }

  /** Removes the earliest event and returns its payload; its time is left in `poppedTime`. */
  pop(): number {
    const { times, seqs, payloads } = this;
    const top = payloads[0];
    this.poppedTime = times[0];
    const last = --this.size;
    const time = times[last];
    const seq = seqs[last];
    const payload = payloads[last];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      if (c + 1 < last && (times[c + 1] < times[c] || (times[c + 1] === times[c] && seqs[c + 1] < seqs[c]))) c++;
      if (time < times[c] || (time === times[c] && seq < seqs[c])) break;
      times[i] = times[c];
      seqs[i] = seqs[c];
      payloads[i] = payloads[c];
      i = c;
    }
    times[i] = time;
    seqs[i] = seq;
    payloads[i] = payload;
    return top;
  }
}

/** Wall time and CPU time of a stretch of work, s. */
export interface Elapsed {
  seconds: number;
  cpuSeconds: number;
}

/** Starts measuring; the function returned reads what elapsed since. */
export function stopwatch(): () => Elapsed {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - wall) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A rate as millions per second, with `digits` decimals. */
export function mps(x: number, digits = 3): string {
  return `${(x / 1e6).toFixed(digits)} M/s`;
}

/** A Markdown table: the first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...rows.map(line)].join('\n');
}
