/**
 * The lab's Web Worker: runs one `LabSession` at a time for the page (viz/lab/protocol.ts), in
 * slices of a few tens of milliseconds, posting the status and — at most a few times a second —
 * the records written since the last post, for the page's timeline to append. Browser only; bundled by src/lab/bundle.ts.
 *
 * How it fails: any error (a scenario refused, a run that breaks an assertion) is posted as one
 * message and ends the session; the page shows it.
 */
import { InputError } from '../kernel/contract/index.ts';
import type { FromWorker, LabStop, ToWorker } from '../../viz/lab/protocol.ts';
import { parse } from 'yaml';
import { scenarioJsonSchema } from '../scenario/json-schema.ts';
import { registryVersion } from '../scenario/registry.ts';
import { withHandFaults } from './hand-faults.ts';
import { scenarioForm, type FormGroup } from './scenario-form.ts';
import type { ChunkMark } from '../report/timeline/encoder.ts';
import { LabSession } from './session.ts';

const SLICE_MS = 40;
const PAYLOAD_EVERY_MS = 250;

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;

let session: LabSession | undefined;
let stop: LabStop | undefined;
/** Live checks: pause when a check starts failing (those failing already when the run was resumed do not count). */
let pauseOn: { violation: boolean; known: Set<string> } = { violation: false, known: new Set() };
let lastPayload = 0;
/** Where the next chunk of records for the page's timeline starts. */
let mark: ChunkMark | undefined;
/** The last start or advance taken (`LabStatus.answers`). */
let answers = 0;
let scheduled = false;

scope.onmessage = (event) => {
  try {
    handle(event.data);
  } catch (error) {
    fail(error);
  }
};

function handle(message: ToWorker): void {
  if (message.type === 'start' || message.type === 'advance') answers = message.id;
  switch (message.type) {
    case 'start': {
      const text = withHandFaults(message.text, message.faults);
      session = new LabSession({ text, file: message.file, version: message.version, sets: message.sets ?? [], ...(message.seed === undefined ? {} : { seed: message.seed }) });
      const { world, endUs } = session.prepared;
      scope.postMessage({
        type: 'started', text, scenario: session.scenario.name, seed: world.seed, endUs, durationUs: session.scenario.durationUs,
        actors: session.actors(), sites: world.siteList().map((s) => ({ id: s.id, nodes: [...s.nodes] })), form: formOf(text),
      });
      lastPayload = 0;
      mark = undefined;
      run(message.stop ?? { until: 'events', count: 0 });
      return;
    }
    case 'advance':
      pauseOn = { violation: message.pauseOn?.violation === true, known: new Set((session?.failing() ?? []).map((v) => v.check)) };
      run(message.stop);
      return;
    case 'pause':
      stop = undefined;
      post(true);
      return;
    case 'inspect':
      if (session !== undefined) scope.postMessage({ type: 'inspected', actor: message.actor, view: session.inspect(message.actor) });
      return;
  }
}

/** The JSON Schema, made once per set of registered features (it takes a few tenths of a second). */
let schema: { version: number; json: Record<string, unknown> } | undefined;

/** The "what if" form of the text the session runs (it parsed, so the YAML reads). */
function formOf(text: string): FormGroup[] {
  if (schema?.version !== registryVersion()) schema = { version: registryVersion(), json: scenarioJsonSchema('diaspora lab') };
  return scenarioForm(schema.json, parse(text));
}

function run(next: LabStop): void {
  stop = next;
  if (!scheduled) slice();
}

function slice(): void {
  scheduled = false;
  if (session === undefined || stop === undefined) return;
  const started = performance.now();
  const current = session;
  // A new violation ends the slice where it is found (the run's pause probe, every few hundred
  // events), not at the slice's end: else a violation late in a run would pause only if the
  // machine were slow enough for the run's end to fall in a later slice.
  const violated = () => pauseOn.violation && current.failing().some((v) => !pauseOn.known.has(v.check));
  try {
    const before = session.prepared.world.events;
    const outcome = stop.until === 'events' && stop.count === 0 ? 'stopped' : session.advance(stop, () => performance.now() - started > SLICE_MS || violated());
    if (outcome !== 'yielded') stop = undefined;
    // A step of N events counts from where it was asked: a slice that ran out part-way leaves the
    // rest for the next one (counting N afresh overshot on a loaded machine).
    else if (stop.until === 'events') stop = { until: 'events', count: stop.count - (session.prepared.world.events - before) };
    const failed = pauseOn.violation && stop !== undefined ? session.failing().filter((v) => !pauseOn.known.has(v.check)) : [];
    if (failed.length > 0) {
      stop = undefined;
      scope.postMessage({ type: 'violation', failed });
    }
    post(stop === undefined);
  } catch (error) {
    stop = undefined;
    fail(error);
    return;
  }
  if (stop !== undefined) {
    scheduled = true;
    setTimeout(slice, 0);
  }
}

/** Posts the status; the records written since the last chunk too when the run stopped or enough time has passed. */
function post(force: boolean): void {
  if (session === undefined) return;
  const status = { ...session.status(), running: stop !== undefined, answers };
  const now = performance.now();
  const withPayload = force || now - lastPayload > PAYLOAD_EVERY_MS;
  const summary = session.summary();
  const base = { type: 'status' as const, status: { ...status, last: status.last as Record<string, unknown> | null }, actors: session.actors(), ...(summary === null ? {} : { summary }) };
  if (!withPayload) return scope.postMessage(base);
  lastPayload = now;
  const next = session.encoder.chunk(mark);
  mark = next.mark;
  const { chunk } = next;
  scope.postMessage({ ...base, chunk }, [...chunk.columns.map((c) => c.buffer as ArrayBuffer), chunk.values.buffer as ArrayBuffer]);
}

function fail(error: unknown): void {
  const message = error instanceof InputError ? error.message : error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  session = undefined;
  scope.postMessage({ type: 'error', message });
}
