/**
 * `summary.md` renders every metric readably: nested objects inline, long series as their length
 * (summary.json keeps every point), never `[object Object]`.
 */
import test from 'ava';
import { summaryMarkdown } from '../../src/report/summary-markdown.ts';

const summary = {
  scenario: 'demo',
  seed: 1,
  version: '0.0.0',
  traceHash: 'ab'.repeat(32),
  events: 10,
  records: 12,
  simulatedTimeUs: 1_000_000,
  wallTimeMs: 5,
  ok: true,
  checks: {},
  metrics: {
    log: {
      consumed: 3,
      rejectedWrites: { atLeader: 0, producerErrors: { 'not-enough-replicas': 2 } },
      underReplicatedPartitions: { peak: 1, series: Array.from({ length: 100 }, (_, t) => [t, t % 2]) },
      elections: {},
      isr: [3, 2, 3],
    },
  },
};

test('nested metrics are inlined, long series summarised, empty objects shown as a dash', (t) => {
  const md = summaryMarkdown(summary, 'npx diaspora run demo.yaml --seed 1');
  t.false(md.includes('[object Object]'));
  t.regex(md, /\| consumed \| 3 \|/);
  t.regex(md, /\| rejectedWrites \| atLeader 0, producerErrors \(not-enough-replicas 2\) \|/);
  t.regex(md, /\| underReplicatedPartitions \| peak 1, series \(100 points in summary\.json\) \|/);
  t.regex(md, /\| elections \| – \|/);
  t.regex(md, /\| isr \| 3, 2, 3 \|/);
});
