/**
 * The timeline's decoder as a Worker: receives one run's payload as the page carries it (base64
 * text of the gzipped bytes), and posts back the decoded columns, their buffers transferred (not
 * copied). Decoding 10^6 records thus runs beside the main thread's own start-up work (parsing d3
 * and the page script, laying out the page), and stacked runs decode in parallel.
 *
 * How it fails: any error is posted back as `{ error }` with its message, for the page to show.
 */
import { decodePayload, type RunData } from './codec.ts';
import { payloadBytes } from './payload-text.ts';

/** What the worker posts back. */
export type DecodeReply = { run: RunData } | { error: string };

/** Every buffer the decoded run owns, to transfer instead of copying. */
export function runBuffers(run: RunData): ArrayBuffer[] {
  const arrays = [run.t, run.k, run.a, run.n, run.peer, run.peerFrom, run.msg, run.op, run.link, run.shape, run.valueStart, run.values,
    run.acks.t, run.acks.v, run.errors.t, run.errors.v, run.latency.t, run.latency.v];
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}

const scope = self as unknown as { onmessage: ((event: MessageEvent<string>) => void) | null; postMessage(message: DecodeReply, transfer?: Transferable[]): void };
scope.onmessage = (event) => {
  payloadBytes(event.data).then(
    (bytes) => {
      const run = decodePayload(bytes);
      scope.postMessage({ run }, runBuffers(run));
    },
  ).catch((error: unknown) => scope.postMessage({ error: error instanceof Error ? error.message : String(error) }));
};
