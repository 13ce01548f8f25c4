/**
 * From the text a run's `<script>` element carries to the payload's bytes: base64 (see `wire.ts`)
 * decoded, then gunzipped with the platform's own `DecompressionStream` — no library, no network,
 * the same in the page and in a Worker.
 *
 * How it fails: text that is not base64, or bytes that are not gzip, reject with the platform's error.
 */

function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  // The native decoder (recent browsers) is several times faster on megabytes of data.
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> }).fromBase64;
  if (native !== undefined) return native(text);
  const binary = atob(text.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The gunzipped payload of one run's base64 text. */
export async function payloadBytes(text: string): Promise<Uint8Array> {
  const stream = new Blob([base64Bytes(text)]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
