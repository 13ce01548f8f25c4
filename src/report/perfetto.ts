/**
 * `writePerfetto`: one run's trace → Chrome trace-event JSON, which Perfetto (ui.perfetto.dev) and
 * `chrome://tracing` open: one process per site and one thread track per actor, every record an
 * event on its actor's track at its simulated time (µs, as the format wants), and every delivered
 * or dropped message a flow arrow from its send to its receipt.
 *
 * Guarantee: streamed — each record is written as it is read, with backpressure; what is held is one
 * entry per actor and site, never the trace. Messages and their receipts share a flow id computed
 * from the send's `(actor, n)`, so no map of messages in flight is needed either. Sends and receipts
 * are 1 µs slices (flows bind to slices), other records instant events. The file appears complete
 * or not at all (temporary name, then rename).
 *
 * How it fails: a missing or malformed trace is an `InputError` naming the file and line; the
 * temporary file is removed.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { InputError } from '../kernel/contract/index.ts';
import { readTrace } from '../kernel/trace-reader.ts';

/** Room for 2^32 record counters per actor in one safe-integer flow id (as in the timeline). */
const ACTOR_SPAN = 2 ** 32;
const RECORD_FIELDS = new Set(['t', 'k', 'a', 'n']);

/**
 * How every file written here begins; `otherData` is the trace-event format's place for metadata,
 * and the generator in it lets `--perfetto` tell its own earlier output from a user's file.
 */
export const PERFETTO_HEAD = '{"displayTimeUnit":"ms","otherData":{"generator":"diaspora-sim"},';

export interface PerfettoResult {
  out: string;
  records: number;
}

export async function writePerfetto(trace: string, out: string): Promise<PerfettoResult> {
  const tmp = `${out}.tmp-${process.pid}`;
  const file = createWriteStream(tmp);
  const write = async (text: string) => {
    if (!file.write(text)) await once(file, 'drain');
  };
  const actors = new Map<string, number>();
  const sites = new Map<string, number>();
  const siteOf = new Map<string, string>();
  let records = 0;
  let first = true;
  const event = async (e: Record<string, unknown>) => {
    await write(`${first ? '' : ',\n'}${JSON.stringify(e)}`);
    first = false;
  };
  /** The site's process id, announcing the site on first use. */
  const pidOf = async (site: string) => {
    let pid = sites.get(site);
    if (pid === undefined) {
      pid = sites.size + 1;
      sites.set(site, pid);
      await event({ ph: 'M', name: 'process_name', pid, tid: 0, args: { name: `site ${site}` } });
    }
    return pid;
  };
  /** The actor's thread id (and its site's pid), announcing its track on first use. */
  const track = async (actor: string) => {
    const pid = await pidOf(siteOf.get(actor) ?? '(unplaced)');
    let tid = actors.get(actor);
    if (tid === undefined) {
      tid = actors.size + 1;
      actors.set(actor, tid);
      await event({ ph: 'M', name: 'thread_name', pid, tid, args: { name: actor } });
    }
    return { pid, tid };
  };
  try {
    await write(`${PERFETTO_HEAD}"traceEvents":[\n`);
    for await (const { record, line } of readTrace(trace)) {
      records++;
      if (record.k === 'meta') {
        for (const entry of Array.isArray(record.actors) ? record.actors : []) {
          if (typeof entry?.id === 'string' && typeof entry.site === 'string') siteOf.set(entry.id, entry.site);
        }
        continue;
      }
      if (!Number.isSafeInteger(record.t) || typeof record.a !== 'string') throw new InputError(`${trace}:${line}: a record needs an integer t and an actor a`);
      const { pid, tid } = await track(record.a);
      const args: Record<string, unknown> = { n: record.n };
      for (const key in record) if (!RECORD_FIELDS.has(key)) args[key] = record[key];
      const label = typeof record.msg === 'string' ? `${record.k} ${record.msg}` : typeof record.op === 'string' ? `${record.k} ${record.op}` : record.k;
      const base = { name: label, cat: record.k, ts: record.t, pid, tid };
      const peer = record.k === 'send' ? record.a : typeof record.from === 'string' ? record.from : record.k === 'drop' ? record.a : undefined;
      const sendN = record.k === 'send' ? record.n : record.s;
      const peerTid = peer === undefined ? undefined : peer === record.a ? tid : (await track(peer)).tid;
      const flow = peerTid !== undefined && Number.isSafeInteger(sendN) && (sendN as number) < ACTOR_SPAN && (record.k === 'send' || record.k === 'recv' || record.k === 'drop')
        ? peerTid * ACTOR_SPAN + (sendN as number) : undefined;
      if (flow === undefined) {
        await event({ ...base, ph: 'i', s: 't', args });
        continue;
      }
      await event({ ...base, ph: 'X', dur: 1, args });
      await event({ ph: record.k === 'send' ? 's' : 'f', ...(record.k === 'send' ? {} : { bp: 'e' }), id: flow, name: String(record.msg ?? 'message'), cat: 'message', ts: record.t, pid, tid });
    }
    if (records === 0) throw new InputError(`${trace}: the trace is empty`);
    await write('\n]}\n');
    file.end();
    await once(file, 'finish');
    await rename(tmp, out);
  } catch (error) {
    file.destroy();
    await rm(tmp, { force: true });
    throw error;
  }
  return { out, records };
}
