/**
 * Reads the runs embedded in the page: each `<script type="application/x-diaspora-run">` holds one
 * run's payload, gzipped and base64-encoded (see `wire/wire.ts`). Decompression uses the browser's own
 * `DecompressionStream`, so the page needs no library and no network.
 */
import { decodePayload, type RunData } from '../wire/codec.ts';
import { RUN_SCRIPT_TYPE } from '../wire/wire.ts';

function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  // The native decoder (recent browsers) is several times faster on megabytes of data.
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> }).fromBase64;
  if (native !== undefined) return native(text);
  const binary = atob(text.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function loadRuns(): Promise<RunData[]> {
  const scripts = Array.from(document.querySelectorAll<HTMLScriptElement>(`script[type="${RUN_SCRIPT_TYPE}"]`));
  if (scripts.length === 0) throw new Error('this page holds no run data');
  return Promise.all(scripts.map(async (script) => decodePayload(await gunzip(base64Bytes(script.textContent ?? '')))));
}
