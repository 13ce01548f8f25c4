/**
 * The bytes of a scenario file as text: UTF-8, with or without a byte-order mark.
 *
 * Guarantee: returns the file's text without a BOM, or refuses it with the reason a user can act
 * on — a UTF-16 or UTF-32 file (by its byte-order mark, or by the zero bytes of ASCII text in
 * those encodings), a file with NUL bytes that is not text, bytes that are not UTF-8 (a Latin-1
 * "é") with their line and column, a line ended by a carriage return alone. How it fails: an
 * `InputError` of one line, `file:line …`; never a message quoting the misread file.
 */
import { InputError } from '../kernel/contract/index.ts';

const UTF8_BOM = [0xef, 0xbb, 0xbf];
/** Longest first: a UTF-32LE mark begins like a UTF-16LE one. */
const WIDE_BOMS: [number[], string][] = [
  [[0xff, 0xfe, 0x00, 0x00], 'UTF-32 (little-endian, with a byte-order mark)'],
  [[0x00, 0x00, 0xfe, 0xff], 'UTF-32 (big-endian, with a byte-order mark)'],
  [[0xff, 0xfe], 'UTF-16 (little-endian, with a byte-order mark)'],
  [[0xfe, 0xff], 'UTF-16 (big-endian, with a byte-order mark)'],
];

export function decodeScenarioBytes(bytes: Uint8Array, file: string): string {
  const startsWith = (mark: number[]) => mark.every((byte, i) => bytes[i] === byte);
  const wide = WIDE_BOMS.find(([mark]) => startsWith(mark));
  if (wide !== undefined) throw new InputError(`${file}:1 the file is ${wide[1]}; save it as UTF-8`);
  const body = startsWith(UTF8_BOM) ? bytes.subarray(UTF8_BOM.length) : bytes;
  const nul = body.indexOf(0);
  if (nul !== -1) {
    const guess = wideWithoutBom(body);
    throw new InputError(`${file}:${position(body, nul).line} ${guess === undefined ? 'a NUL byte: this is not a text file' : `the file looks like ${guess} without a byte-order mark; save it as UTF-8`}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    const at = firstInvalidUtf8(body);
    const { line, column } = position(body, at);
    throw new InputError(`${file}:${line} not UTF-8 text (byte 0x${body[at]!.toString(16).padStart(2, '0')} at column ${column}; a Latin-1 or Windows-1252 file?); save it as UTF-8`);
  }
  // The YAML parser ends lines at LF only: a file of classic Mac line ends (CR alone) is one comment
  // line to it, "empty", and a lone CR within a file joins two lines into one odd key.
  const cr = /\r(?!\n)/.exec(text);
  if (cr !== null) throw new InputError(`${file}:${position(body, Buffer.byteLength(text.slice(0, cr.index))).line} a line ends with a carriage return alone (classic Mac line ends); save the file with LF (or CRLF) line ends`);
  return text;
}

/** ASCII text in UTF-16 or UTF-32 has zero bytes in fixed places; which encoding fits, if any. */
function wideWithoutBom(bytes: Uint8Array): string | undefined {
  const sample = bytes.subarray(0, Math.min(bytes.length, 4096));
  const zeroShare = (offset: number, stride: number) => {
    let zeros = 0;
    let total = 0;
    for (let i = offset; i < sample.length; i += stride, total++) if (sample[i] === 0) zeros++;
    return total === 0 ? 0 : zeros / total;
  };
  if (zeroShare(1, 4) > 0.9 && zeroShare(2, 4) > 0.9 && zeroShare(3, 4) > 0.9) return 'UTF-32 (little-endian)';
  if (zeroShare(0, 4) > 0.9 && zeroShare(1, 4) > 0.9 && zeroShare(2, 4) > 0.9) return 'UTF-32 (big-endian)';
  if (zeroShare(1, 2) > 0.9) return 'UTF-16 (little-endian)';
  if (zeroShare(0, 2) > 0.9) return 'UTF-16 (big-endian)';
  return undefined;
}

/** Offset of the first byte that does not begin a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    // Overlong forms and surrogates have the right shape but are not UTF-8: the decoder knows them.
    if (length > 1 && !decodes(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return bytes.length;
}

function decodes(sequence: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sequence);
    return true;
  } catch {
    return false;
  }
}

function position(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}
