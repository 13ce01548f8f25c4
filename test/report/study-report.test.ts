import test from 'ava';
import { compareMarkdown } from '../../src/report/compare-markdown.ts';
import { compareTable } from '../../src/report/compare-table.ts';
import { studyCsv, studyJson } from '../../src/report/study-files.ts';
import { cellArgs, formatSeeds, formatValue, metricUnit, studyCommand } from '../../src/report/study-format.ts';
import { studyHtml } from '../../src/report/study-html.ts';
import { alignedTable } from '../../src/report/study-markdown.ts';
import { summarise } from '../../src/report/study-summary.ts';
import { comparisonView as view } from './_study.ts';

test('summarise pairs by seed and leaves errored cells out', (t) => {
  const summary = summarise(view());
  t.deepEqual(summary.cells, { total: 8, pass: 3, fail: 4, error: 1 });
  t.deepEqual(summary.varying, ['passed', 'store.lost', 'produce.latencyUs.p99', 'checkpoint.bytesWritten']);
  t.deepEqual(summary.constant, { 'produce.produced': 600 });
  const [a, b] = summary.groups;
  t.like(a, { variant: 'a', ran: 4, failed: 4, errors: 0 });
  t.like(b, { variant: 'b', ran: 3, failed: 0, errors: 1 });
  t.is(b!.stats['produce.latencyUs.p99']!.n, 3);
  // Paired on seeds 1–3 only: exactly +10 ms on each, although the seeds differ by 15 ms.
  t.like(summary.comparisons[0]!.diffs['produce.latencyUs.p99'], { n: 3, mean: 10_000, sd: 0, significant: true });
  t.like(summary.comparisons[0]!.diffs['store.lost'], { n: 3, mean: -2 });
  // A metric only the baseline measures: no values for b, nothing to pair.
  t.like(b!.stats['checkpoint.bytesWritten'], { n: 0, low: null });
  t.like(summary.comparisons[0]!.diffs['checkpoint.bytesWritten'], { n: 0, significant: false });
});

test('a metric only one variant measures is never "the same in every cell", even when constant there: it gets its row', (t) => {
  const v = view();
  // Variant b alone logs messages, the same count on every seed (as a failure-free run does).
  v.cells = v.cells.map((cell) => (cell.variant === 'b' && cell.values !== undefined ? { ...cell, values: { ...cell.values, 'messageLog.syncs': 894 } } : cell));
  const summary = summarise(v);
  t.false('messageLog.syncs' in summary.constant);
  t.true(summary.varying.includes('messageLog.syncs'));
  const row = compareTable(v, summary).rows.find((r) => r[0] === 'messageLog.syncs');
  t.deepEqual(row?.slice(0, 3), ['messageLog.syncs', '–', '894 ± 0']);
});

test('the table: means ± intervals, paired differences with their flag, units from metric names', (t) => {
  const v = view();
  const lines = alignedTable(compareTable(v, summarise(v)));
  // a: 20, 35, 50, 65 ms → 42.5 ± t(0.975, 3) × 19.36 / √4; b: 30, 45, 60 ms → 45 ± t(0.975, 2) × 15 / √3.
  t.regex(lines[0]!, /^metric +a \(baseline\) +b +Δ b +p$/);
  t.regex(lines[3]!, /^produce\.latencyUs\.p99 +42\.5ms ± 30\.8ms +45ms ± 37\.3ms +\+10ms \[10ms, 10ms\] \* +<0\.001$/);
  t.is(metricUnit('produce.ackLatencyUs.count'), 'number');
  t.is(formatValue(3_008_511, 'duration'), '3.01s');
  t.is(formatValue(2_500_000_000, 'bytes'), '2.5GB');
  t.is(formatSeeds([1, 2, 3]), '3');
  t.is(formatSeeds([3, 4, 5, 9, 11, 12]), '3..5,9,11,12');
});

test('files: deterministic JSON and CSV without wall times; a report that names errors and how to reproduce', (t) => {
  const v = view();
  const summary = summarise(v);
  const json = studyJson(v, summary);
  t.false(json.includes('wallTimeMs'));
  t.false(json.includes('"samples"'));
  t.is(JSON.parse(json).cells.length, 8);
  const csv = studyCsv(v, summary).split('\n');
  t.is(csv[0], 'index,cell,variant,seed,status,traceHash,events,passed,store.lost,produce.latencyUs.p99,checkpoint.bytesWritten,produce.produced,error');
  t.is(csv[8], '7,b seed=4,b,4,error,,,,,,,,internal: boom');
  const md = compareMarkdown(v, summary);
  t.regex(md, /^# Compare a, b — x, 4 seeds\n/);
  t.regex(md, /## Cells that did not run\n\n- `b seed=4` \(internal\): boom\n {2}reproduce: `npx diaspora run scenarios\/x\.yaml --seed 4 --set s\.f=2 --trace`/);
  t.true(md.includes(studyCommand(v.file, v.spec)));
  t.is(studyCommand(v.file, v.spec), 'npx diaspora compare scenarios/x.yaml --variant a:s.f=1 --variant b:s.f=2 --seeds 4');
});

test('the page is self-contained and its data block cannot end the script early', (t) => {
  const v = view();
  v.spec.variants[1]!.name = 'b</script><script>alert(1)</script>';
  for (const cell of v.cells) if (cell.variant === 'b') cell.variant = v.spec.variants[1]!.name;
  const html = studyHtml(v, summarise(v), 'title <b>');
  t.is(html.match(/<\/script>/g)!.length, 3, 'data, d3 and the charts: three scripts, none broken open');
  t.true(html.includes('<title>title &#60;b&#62;</title>'));
  t.is(studyHtml(v, summarise(v), 'title <b>'), html, 'deterministic');
});

test("each cell links to its timeline and gives the command that writes it there, in the report's own directory", (t) => {
  const v = { ...view(), dir: 'results/x/compare-1/' };
  const html = studyHtml(v, summarise(v), 'cells');
  t.true(html.includes('<a href="cells/0/timeline.html">timeline</a>'));
  t.true(html.includes('--viz -o results/x/compare-1/cells/0</code>'), 'the command writes beside this page, run where the study ran');
  const bare = studyHtml(view(), summarise(view()), 'cells');
  t.true(bare.includes('--viz -o cells/0</code>') && bare.includes("in this report's directory"));
});

test("a cell's run command sets each path once: the variant's and the point's sets replace the study's of the same path", (t) => {
  const spec = { ...view().spec, sets: ['quiesce=10s', 'duration=60s'], variants: [{ name: 'a', sets: ['quiesce=15s'] }], params: [] };
  // `diaspora run` refuses a path set twice (red before: --set quiesce=10s --set quiesce=15s --set duration=30s --set duration=60s).
  t.deepEqual(cellArgs('x.yaml', spec, { variant: 'a', params: { duration: '30s' }, seed: 1 }, []), ['run', 'x.yaml', '--seed', '1', '--set', 'quiesce=15s', '--set', 'duration=30s']);
});
