/**
 * The lab's Web Worker (src/lab/worker.ts) under Node, with a clock that makes every slice run out
 * after one event: a step of N events that the worker has to cut into slices still stops after
 * exactly N events — what a loaded machine does to the page (its slices run out mid-step).
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import type { FromWorker, LabStatus, ToWorker } from '../../viz/lab/protocol.ts';

const DRILL = 'scenarios/drills/domino-uncoordinated.yaml';

test('a step cut into slices by a slow machine stops after the events asked for, not more', async (t) => {
  const posted: FromWorker[] = [];
  const scope = globalThis as unknown as { postMessage(message: FromWorker): void; onmessage: ((event: { data: ToWorker }) => void) | null };
  scope.postMessage = (message) => posted.push(message);
  // Each reading of the clock is 100 ms after the last: every slice (40 ms) has run out at its first look.
  let clock = 0;
  t.teardown(() => void (globalThis.performance.now = original));
  const original = globalThis.performance.now.bind(globalThis.performance);
  globalThis.performance.now = () => (clock += 100);
  await import('../../src/lab/worker.ts');

  const stopped = (id: number) =>
    new Promise<LabStatus>((resolve, reject) => {
      const look = () => {
        const error = posted.find((m) => m.type === 'error');
        if (error !== undefined) return reject(new Error(JSON.stringify(error)));
        const last = posted.filter((m): m is Extract<FromWorker, { type: 'status' }> => m.type === 'status' && m.status.answers === id && !m.status.running).at(-1);
        if (last !== undefined) return resolve(last.status);
        setTimeout(look, 1);
      };
      look();
    });
  const send = (data: ToWorker) => scope.onmessage!({ data });

  send({ type: 'start', id: 1, text: readFileSync(DRILL, 'utf8'), faults: [], file: DRILL, seed: 4, version: 'test', stop: { until: 'events', count: 3 } });
  t.is((await stopped(1)).events, 3, 'a fresh run to event 3 (the page going back one event from 4)');
  send({ type: 'advance', id: 2, stop: { until: 'events', count: 4 } });
  t.is((await stopped(2)).events, 7, 'four steps more');
  t.true(posted.filter((m) => m.type === 'status' && m.status.running).length >= 2, 'the steps were cut into slices');
});
