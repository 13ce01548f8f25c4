/**
 * Reads the runs embedded in the page: each `<script type="application/x-diaspora-run">` holds one
 * run's payload, gzipped and base64-encoded (see `wire/wire.ts`). Each run is decoded in its own
 * Worker, started from the decoder's source that the page carries (`DECODER_SCRIPT_TYPE`, made a
 * blob URL, so a page opened from disk needs no server), and started as soon as the payloads are
 * parsed — before d3 and the page script — by a small script of its own (`start-load.ts`).
 *
 * Guarantee: the same `RunData` whichever way it was decoded. How it fails: where a Worker cannot
 * be started (no decoder in the page, a browser or policy refusing blob workers), the runs are
 * decoded on the main thread instead, just later; a payload that cannot be decoded rejects with
 * the decoder's message either way.
 */
import { decodePayload, type RunData } from '../wire/codec.ts';
import type { DecodeReply } from '../wire/decode-worker.ts';
import { payloadBytes } from '../wire/payload-text.ts';
import { DECODER_SCRIPT_TYPE, RUN_SCRIPT_TYPE } from '../wire/wire.ts';

/** Set (by a test or benchmark, before the page loads) to decode on the main thread. */
interface LoadGlobals {
  diasporaDecodeInPage?: boolean;
  diasporaLoading?: Promise<RunData[]>;
}
const globals = window as unknown as LoadGlobals;

function decodeInWorker(source: string, text: string): Promise<RunData> {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url);
    const done = () => {
      worker.terminate();
      URL.revokeObjectURL(url);
    };
    worker.onmessage = (event: MessageEvent<DecodeReply>) => {
      done();
      if ('error' in event.data) reject(new Error(event.data.error));
      else resolve(event.data.run);
    };
    // A worker that cannot start (or dies) leaves the run to the main thread.
    worker.onerror = (event) => {
      event.preventDefault();
      done();
      resolve(decodeInPage(text));
    };
    worker.postMessage(text);
  });
}

async function decodeInPage(text: string): Promise<RunData> {
  return decodePayload(await payloadBytes(text));
}

function decode(source: string | null, text: string): Promise<RunData> {
  if (source === null || globals.diasporaDecodeInPage === true || typeof Worker === 'undefined') return decodeInPage(text);
  try {
    return decodeInWorker(source, text);
  } catch {
    return decodeInPage(text);
  }
}

/** Starts decoding every run in the page; called once the run scripts are parsed. */
export function startLoading(): Promise<RunData[]> {
  const scripts = Array.from(document.querySelectorAll<HTMLScriptElement>(`script[type="${RUN_SCRIPT_TYPE}"]`));
  if (scripts.length === 0) return Promise.reject(new Error('this page holds no run data'));
  const source = document.querySelector<HTMLScriptElement>(`script[type="${DECODER_SCRIPT_TYPE}"]`)?.textContent ?? null;
  return Promise.all(scripts.map((script) => decode(source, script.textContent ?? '')));
}

/** The page's runs: those the start-up script began decoding, or decoded now. */
export function loadRuns(): Promise<RunData[]> {
  return globals.diasporaLoading ?? startLoading();
}
