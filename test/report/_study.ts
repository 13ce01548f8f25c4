/** Synthetic studies for the report tests: small, with known numbers. */
import type { CellView, StudyView } from '../../src/report/study-data.ts';

/** A comparison of two variants on seeds 1–4; `b` is 10 ms slower on every seed, and errors on seed 4. */
export function comparisonView(): StudyView {
  const cell = (index: number, variant: string, seed: number, latencyUs: number | undefined, lost = 0): CellView =>
    latencyUs === undefined
      ? { index, cell: `${variant} seed=${seed}`, variant, params: {}, seed, status: 'error', error: { kind: 'internal', message: 'boom\nstack' }, wallTimeMs: 5 }
      : {
          index,
          cell: `${variant} seed=${seed}`,
          variant,
          params: {},
          seed,
          status: lost > 0 ? 'fail' : 'pass',
          traceHash: `${index}`.padStart(64, '0'),
          events: 100,
          values: {
            passed: lost > 0 ? 0 : 1,
            'store.lost': lost,
            'produce.latencyUs.p99': latencyUs,
            'produce.produced': 600,
            // Only variant a measures this (as only some strategies write checkpoints).
            ...(variant === 'a' ? { 'checkpoint.bytesWritten': 1000 * seed } : {}),
          },
          wallTimeMs: 5 + index,
        };
  const base = [20_000, 35_000, 50_000, 65_000];
  return {
    id: 'abcdefabcdef',
    file: 'scenarios/x.yaml',
    spec: {
      kind: 'compare',
      scenario: { name: 'x', sha256: 'f'.repeat(64) },
      version: '0.1.0',
      sets: [],
      variants: [{ name: 'a', sets: ['s.f=1'] }, { name: 'b', sets: ['s.f=2'] }],
      baseline: 'a',
      params: [],
      seeds: [1, 2, 3, 4],
    },
    cells: [
      ...base.map((us, i) => cell(i, 'a', i + 1, us, i + 1)),
      ...base.map((us, i) => cell(4 + i, 'b', i + 1, i === 3 ? undefined : us + 10_000)),
    ],
  };
}


/**
 * A sweep of `store.flush` (log-spaced durations) × optionally `link.latency`, two variants, three
 * seeds; the loss grows with the flush interval, the latency with the link.
 */
export function sweepView(withSecondParam: boolean): StudyView {
  const flush = [{ text: '100ms', x: 100_000 }, { text: '1s', x: 1_000_000 }, { text: '10s', x: 10_000_000 }];
  const latency = withSecondParam ? [{ text: '1ms', x: 1_000 }, { text: '20ms', x: 20_000 }] : [{ text: '1ms', x: 1_000 }];
  const variants = [{ name: 'fsync', sets: [] }, { name: 'async', sets: [] }];
  const cells: CellView[] = [];
  for (const f of flush) {
    for (const l of latency) {
      for (const [v, variant] of variants.entries()) {
        for (const seed of [1, 2, 3]) {
          const params: Record<string, string> = withSecondParam ? { 'store.flush': f.text, 'link.latency': l.text } : { 'store.flush': f.text };
          cells.push({
            index: cells.length,
            cell: `${variant.name} ${Object.entries(params).map(([k, x]) => `${k}=${x}`).join(' ')} seed=${seed}`,
            variant: variant.name,
            params,
            seed,
            status: 'fail',
            traceHash: String(cells.length).padStart(64, '0'),
            events: 10,
            values: { 'store.lost': (f.x / 100_000) * (v + 1) + seed, 'produce.latencyUs.p50': l.x * 2 + seed * 100 },
            wallTimeMs: 1,
          });
        }
      }
    }
  }
  return {
    id: '0123456789ab',
    file: 'scenarios/x.yaml',
    spec: {
      kind: 'sweep',
      scenario: { name: 'x', sha256: '0'.repeat(64) },
      version: '0.1.0',
      sets: [],
      variants,
      baseline: 'fsync',
      params: [
        { path: 'store.flush', values: flush, kind: 'duration', scale: 'log' },
        ...(withSecondParam ? [{ path: 'link.latency', values: latency, kind: 'duration', scale: 'linear' as const }] : []),
      ],
      seeds: [1, 2, 3],
    },
    cells,
  };
}
