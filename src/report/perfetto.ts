/**
 * `writePerfetto`: one run's trace → Chrome trace-event JSON, which Perfetto (ui.perfetto.dev) and
 * `chrome://tracing` open:
 *
 * - a process per site, in the order the trace's meta lists the sites (`process_sort_index`), with
 *   a thread track per actor in the order meta lists the actors (`thread_sort_index`); on it, each
 *   *step* of the actor — every record it wrote at one simulated instant (µs, as the format wants):
 *   a receipt or timer and the sends and writes it caused — is one slice named after its first
 *   record, with the records in its args; every delivered or dropped message is a flow arrow from
 *   the sender's step to the receiver's;
 * - a first process, "faults and verdicts", holding the `world` actor's track, each fault as a
 *   span from its start to its end (an async slice), each checker's violation as a global marker
 *   at the records it cites, and the gauges the timeline draws as counter tracks (in-sync
 *   replicas, consumer lag, buffer fill);
 * - each actor's down periods (crash → restart) as spans on its site, and each replica's high
 *   watermark per partition as a counter track on its site.
 *
 * Guarantee: streamed — each record is written as it is read, with backpressure; what is held is
 * one entry per actor, site, open fault, down actor and gauge, and each actor's current step, never the trace. Messages and their
 * receipts share a flow id computed from the send's `(actor, n)`, so no map of messages in flight
 * is needed. A step has no duration in simulated time, so its slice has none (`dur: 0`); flow
 * events (`s`, and `f` with `bp: "e"`) follow their step's slice at the same instant and bind to it,
 * the slice on top of the actor's track (Perfetto's JSON importer and catapult bind them so). One
 * step is held at a time per actor. Faults or down periods still open at the end are closed at
 * the run's end.
 * The file appears complete or not at all (temporary name, then rename).
 *
 * How it fails: a missing or malformed trace is an `InputError` naming the file and line; the
 * temporary file is removed. A trace cut short (no end record) is written as far as it goes when
 * `onCut` is given (which is told), and refused otherwise. An edited trace (its records do not
 * hash to its end record) is written as it is; `onEdited`, if given, is told.
 */
import { InputError } from '../kernel/contract/index.ts';
import { writeTextAtomically, type WriteText } from './atomic-text-file.ts';
import { readTrace } from '../kernel/trace-reader.ts';
import { decodeGauge, type GaugeWire } from '../../viz/wire/gauges.ts';
import { readMinInsync } from './timeline/min-insync.ts';
import { PanelGauges } from './timeline/panel-gauges.ts';
import { readVerdicts } from './timeline/verdicts.ts';
import { PERFETTO_HEAD } from './file-heads.ts';

/** Room for 2^32 record counters per actor in one safe-integer flow id (as in the timeline). */
const ACTOR_SPAN = 2 ** 32;
const RECORD_FIELDS = new Set(['t', 'k', 'a', 'n']);
/** The process of run-wide tracks: faults, verdicts and gauges. */
const RUN_PID = 1;
const UNPLACED = '(unplaced)';
/** The simulator's own actor (faults are recorded there): its track joins the run-wide process. */
const WORLD = 'world';

/** One actor's step: every record it wrote at one instant, drawn as one slice. */
interface Step {
  ts: number;
  pid: number;
  tid: number;
  /** The first record's kind and message or operation: what the step was a reaction to. */
  label: string;
  records: Array<Record<string, unknown>>;
  flows: Array<Record<string, unknown>>;
}

export interface PerfettoResult {
  out: string;
  records: number;
}

/** A gauge's counter-track name, with its unit. */
function gaugeName(gauge: GaugeWire): string {
  if (gauge.panel === 'isr') return `in-sync replicas ${gauge.name}`;
  if (gauge.panel === 'lag') return `consumer lag ${gauge.name} (events)`;
  return `buffer ${gauge.role === 'spill' ? 'spilled' : 'fill'} ${gauge.name} (bytes)`;
}

export async function writePerfetto(trace: string, out: string, onCut?: (message: string) => void, onEdited?: (message: string) => void): Promise<PerfettoResult> {
  const [verdicts, minInsync] = await Promise.all([readVerdicts(trace), readMinInsync(trace)]);
  return writeTextAtomically(out, async (write: WriteText) => {
    const actors = new Map<string, number>();
    const sites = new Map<string, number>();
    const siteOf = new Map<string, string>();
    const gauges = new PanelGauges();
    /** Open faults by their id: the async-slice id and name they began with. */
    const faults = new Map<string, { id: number; name: string }>();
    let faultIds = 0;
    /** Actors down since a crash: the crash time. */
    const down = new Map<string, number>();
    let records = 0;
    let endUs = 0;
    /** Per actor, its step at `stepTime`: the records it wrote at that instant, and their flow ends. */
    const steps = new Map<string, Step>();
    let stepTime = -Infinity;
    /** Writes each open step as one slice, then its flow starts and ends, which bind to it. */
    const flushSteps = async () => {
      for (const step of steps.values()) {
        const more = step.records.length - 1;
        const name = more === 0 ? step.label : `${step.label} (+${more})`;
        await event({ ph: 'X', name, cat: 'step', ts: step.ts, dur: 0, pid: step.pid, tid: step.tid, args: more === 0 ? step.records[0] : { records: step.records } });
        for (const f of step.flows) await event(f);
      }
      steps.clear();
    };
    let first = true;
    const event = async (e: Record<string, unknown>) => {
      await write(`${first ? '' : ',\n'}${JSON.stringify(e)}`);
      first = false;
    };
    /** The site's process id, announcing the site (and its place in the order) on first use. */
    const pidOf = async (site: string) => {
      let pid = sites.get(site);
      if (pid === undefined) {
        pid = RUN_PID + 1 + sites.size;
        sites.set(site, pid);
        await event({ ph: 'M', name: 'process_name', pid, tid: 0, args: { name: `site ${site}` } });
        await event({ ph: 'M', name: 'process_sort_index', pid, tid: 0, args: { sort_index: pid } });
      }
      return pid;
    };
    /** The actor's thread id (and its site's pid), announcing its track on first use. */
    const track = async (actor: string) => {
      const pid = actor === WORLD ? RUN_PID : await pidOf(siteOf.get(actor) ?? UNPLACED);
      let tid = actors.get(actor);
      if (tid === undefined) {
        tid = actors.size + 1;
        actors.set(actor, tid);
        await event({ ph: 'M', name: 'thread_name', pid, tid, args: { name: actor } });
        await event({ ph: 'M', name: 'thread_sort_index', pid, tid, args: { sort_index: tid } });
      }
      return { pid, tid };
    };
    const downSpan = async (actor: string, from: number, to: number) => {
      const { pid, tid } = await track(actor);
      const base = { cat: 'down', name: `${actor} down`, id: tid, pid, tid };
      await event({ ...base, ph: 'b', ts: from });
      await event({ ...base, ph: 'e', ts: to });
    };
    const fault = async (record: Record<string, unknown>, t: number) => {
      const key = String(record.fault ?? `#${records}`);
      const args: Record<string, unknown> = {};
      for (const k in record) if (!RECORD_FIELDS.has(k) && k !== 'phase') args[k] = record[k];
      if (record.phase === 'end') {
        const open = faults.get(key);
        if (open === undefined) return;
        faults.delete(key);
        await event({ ph: 'e', cat: 'fault', name: open.name, id: open.id, ts: t, pid: RUN_PID, tid: 0 });
        return;
      }
      const targets = Array.isArray(record.targets) ? ` ${record.targets.join(', ')}` : '';
      const name = `${String(record.kind ?? 'fault')}${targets}`;
      if (record.phase !== 'start') {
        // A fault record without a phase is a one-off action, not a period.
        await event({ ph: 'i', s: 'g', cat: 'fault', name, ts: t, pid: RUN_PID, tid: 0, args });
        return;
      }
      const id = ++faultIds;
      faults.set(key, { id, name });
      await event({ ph: 'b', cat: 'fault', name, id, ts: t, pid: RUN_PID, tid: 0, args });
    };
    await write(`${PERFETTO_HEAD}"traceEvents":[\n`);
    await event({ ph: 'M', name: 'process_name', pid: RUN_PID, tid: 0, args: { name: 'faults and verdicts' } });
    await event({ ph: 'M', name: 'process_sort_index', pid: RUN_PID, tid: 0, args: { sort_index: RUN_PID } });
    for await (const { record, line } of readTrace(trace, { onCut, onEdited })) {
      records++;
      if (record.k === 'meta') {
        if (typeof record.endUs === 'number') endUs = Math.max(endUs, record.endUs);
        for (const site of Array.isArray(record.sites) ? record.sites : []) if (typeof site?.id === 'string') await pidOf(site.id);
        for (const entry of Array.isArray(record.actors) ? record.actors : []) {
          if (typeof entry?.id !== 'string') continue;
          if (typeof entry.site === 'string') siteOf.set(entry.id, entry.site);
          await track(entry.id);
        }
        continue;
      }
      if (!Number.isSafeInteger(record.t) || typeof record.a !== 'string') throw new InputError(`${trace}:${line}: a record needs an integer t and an actor a`);
      endUs = Math.max(endUs, record.t);
      gauges.add(record);
      if (record.k === 'fault') await fault(record, record.t);
      if (record.k === 'crash' && !down.has(record.a)) down.set(record.a, record.t);
      if (record.k === 'restart' && down.has(record.a)) {
        await downSpan(record.a, down.get(record.a)!, record.t);
        down.delete(record.a);
      }
      const { pid, tid } = await track(record.a);
      if (record.k === 'log' && record.op === 'hw' && Number.isSafeInteger(record.offset)) {
        await event({ ph: 'C', name: `high watermark ${String(record.topic)}/${String(record.partition)} at ${record.a}`, ts: record.t, pid, args: { offset: record.offset } });
      }
      const args: Record<string, unknown> = { k: record.k, n: record.n };
      for (const key in record) if (!RECORD_FIELDS.has(key)) args[key] = record[key];
      const label = typeof record.msg === 'string' ? `${record.k} ${record.msg}` : typeof record.op === 'string' ? `${record.k} ${record.op}` : record.k;
      const peer = record.k === 'send' ? record.a : typeof record.from === 'string' ? record.from : record.k === 'drop' ? record.a : undefined;
      const sendN = record.k === 'send' ? record.n : record.s;
      const peerTid = peer === undefined ? undefined : peer === record.a ? tid : (await track(peer)).tid;
      const flow = peerTid !== undefined && Number.isSafeInteger(sendN) && (sendN as number) < ACTOR_SPAN && (record.k === 'send' || record.k === 'recv' || record.k === 'drop')
        ? peerTid * ACTOR_SPAN + (sendN as number) : undefined;
      if (record.t > stepTime) await flushSteps();
      stepTime = record.t;
      let step = steps.get(record.a);
      if (step === undefined) steps.set(record.a, (step = { ts: record.t, pid, tid, label, records: [], flows: [] }));
      step.records.push(args);
      if (flow !== undefined) step.flows.push({ ph: record.k === 'send' ? 's' : 'f', ...(record.k === 'send' ? {} : { bp: 'e' }), id: flow, name: String(record.msg ?? 'message'), cat: 'message', ts: record.t, pid, tid });
    }
    await flushSteps();
    if (records === 0) throw new InputError(`${trace}: the trace is empty`);
    for (const open of faults.values()) await event({ ph: 'e', cat: 'fault', name: open.name, id: open.id, ts: endUs, pid: RUN_PID, tid: 0 });
    for (const [actor, from] of down) await downSpan(actor, from, endUs);
    for (const wire of gauges.gauges(minInsync)) {
      const gauge = decodeGauge(wire);
      const name = gaugeName(wire);
      for (let i = 0; i < gauge.t.length; i++) await event({ ph: 'C', name, ts: gauge.t[i], pid: RUN_PID, args: { value: gauge.last[i] } });
    }
    for (const verdict of verdicts ?? []) {
      const at = verdict.cites.length > 0 ? verdict.cites.map((c) => c.t) : [endUs];
      const args = { message: verdict.message, events: verdict.events.length, cites: verdict.cites.map((c) => `${c.k} at ${c.a} #${c.n}`) };
      for (const ts of [...new Set(at)]) await event({ ph: 'i', s: 'g', cat: 'verdict', name: `${verdict.check}: ${verdict.anomaly}`, ts, pid: RUN_PID, tid: 0, args });
    }
    await write('\n]}\n');
    return { out, records };
  });
}
