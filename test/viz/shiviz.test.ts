/**
 * `diaspora viz --shiviz`: the log parses back with ShiViz's own regular expression (given as the
 * file's first line), one event per record with its actor as host, and the vector clocks respect
 * the trace's causality — each host's own entry counts its events, a receipt's clock dominates
 * its send's, and clocks only grow along a host.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { vizCommand } from '../../src/cli/viz-command.ts';
import { SHIVIZ_REGEX } from '../../src/report/file-heads.ts';
import { drillTrace } from './synthetic-trace.ts';

const dir = mkdtempSync(join(tmpdir(), 'viz-shiviz-'));
const trace = join(dir, 'drill.jsonl');
test.before(async () => {
  await drillTrace().writeTo(trace).finish();
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

type Clock = Record<string, number>;
const leq = (a: Clock, b: Clock) => Object.entries(a).every(([h, v]) => (b[h] ?? 0) >= v);

test('the log parses with its own first-line regex and its vector clocks follow causality', async (t) => {
  const out = join(dir, 'drill.log');
  const stdout: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => stdout.push(chunk) > 0) as typeof process.stdout.write;
  try {
    await yargs(['viz', trace, '--shiviz', out]).command(vizCommand).strict().parseAsync();
  } finally {
    process.stdout.write = write;
  }
  t.regex(stdout.join(''), /wrote .*drill\.log \(\d+ events\)/);
  const text = readFileSync(out, 'utf8');
  const [regexLine, delimiterLine] = text.split('\n', 2);
  t.is(regexLine, SHIVIZ_REGEX);
  t.is(delimiterLine, '');
  // ShiViz compiles the parser with the multi-line flag and matches it over the log repeatedly.
  const log = text.slice(regexLine.length + delimiterLine.length + 2);
  const parsed = [...log.matchAll(new RegExp(regexLine, 'gm'))].map((m) => ({ event: m.groups!.event, host: m.groups!.host, clock: JSON.parse(m.groups!.clock) as Clock }));
  const records = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.k !== 'meta');
  t.is(parsed.length, records.length);
  const last = new Map<string, Clock>();
  const sends = new Map<string, Clock>();
  let receipts = 0;
  parsed.forEach(({ event, host, clock }, i) => {
    const r = records[i];
    t.is(host, String(r.a));
    t.true(event.startsWith(String(r.k)));
    const before = last.get(host) ?? {};
    t.is(clock[host], (before[host] ?? 0) + 1, 'the own entry counts the host’s events');
    t.true(leq(before, clock), 'clocks only grow along a host');
    last.set(host, clock);
    if (r.k === 'send') sends.set(`${host} ${r.n}`, clock);
    if (r.k === 'recv') {
      const sent = sends.get(`${r.from} ${r.s}`)!;
      t.truthy(sent);
      t.true(leq(sent, clock) && !leq(clock, sent), 'a send happened before its receipt');
      receipts++;
    }
  });
  t.true(receipts > 10);
});
