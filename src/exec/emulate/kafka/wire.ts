/**
 * The primitive types of the Kafka wire protocol: big-endian fixed-width integers, int16-prefixed
 * strings, int32-prefixed bytes and arrays (-1 for null), the zigzag varints of record batch v2,
 * and CRC-32C (Castagnoli), which guards a record batch.
 *
 * Only the non-flexible encodings are here: the emulator advertises versions below every API's
 * first flexible version (see apis.ts), so compact strings and tagged fields never appear.
 *
 * Guarantee: a `Reader` never reads past its buffer — a short or malformed frame throws a
 * `WireError` naming what it was reading, which the server turns into a closed connection. 64-bit
 * integers are read as JavaScript numbers and must fit in 2^53 (offsets, producer ids and
 * timestamps do); a larger one throws rather than silently rounding.
 */

export class WireError extends Error {}

export class Reader {
  offset = 0;
  constructor(readonly buffer: Buffer) {}

  private need(bytes: number, what: string): void {
    if (this.offset + bytes > this.buffer.length) throw new WireError(`truncated ${what} at byte ${this.offset} of ${this.buffer.length}`);
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buffer.readInt8(this.offset++);
  }
  int16(): number {
    this.need(2, 'int16');
    const v = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  int32(): number {
    this.need(4, 'int32');
    const v = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  int64(): number {
    this.need(8, 'int64');
    const v = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return safe(v);
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  string(): string {
    const s = this.nullableString();
    if (s === null) throw new WireError(`null string at byte ${this.offset}`);
    return s;
  }
  nullableString(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    this.need(length, 'string');
    const s = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return s;
  }
  bytes(): Buffer | null {
    const length = this.int32();
    if (length < 0) return null;
    return this.raw(length);
  }
  raw(length: number): Buffer {
    this.need(length, 'bytes');
    const b = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return b;
  }
  array<T>(item: (r: Reader) => T): T[] {
    return this.nullableArray(item) ?? [];
  }
  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    const length = this.int32();
    if (length < 0) return null;
    // Each item takes at least a byte: a huge count in a short frame is malformed, not an allocation.
    this.need(length, 'array');
    const items: T[] = [];
    for (let i = 0; i < length; i++) items.push(item(this));
    return items;
  }
  /** A zigzag varint (record fields); up to 63 bits, as a number. */
  varint(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      this.need(1, 'varint');
      const byte = this.buffer[this.offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new WireError(`varint longer than 10 bytes at byte ${this.offset}`);
    }
    return safe((result >> 1n) ^ -(result & 1n));
  }
  /** Bytes prefixed by a varint length (-1: null), as record keys, values and headers are. */
  varBytes(): Buffer | null {
    const length = this.varint();
    return length < 0 ? null : this.raw(length);
  }
  get remaining(): number {
    return this.buffer.length - this.offset;
  }
}

function safe(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new WireError(`64-bit value ${v} does not fit in 2^53`);
  return Number(v);
}

/** Builds a frame from parts; `buffer()` joins them. */
export class Writer {
  private readonly parts: Buffer[] = [];
  private length = 0;

  private push(b: Buffer): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }
  int8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    return this.push(b);
  }
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.push(b);
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.push(b);
  }
  uint32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return this.push(b);
  }
  int64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    return this.push(b);
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const b = Buffer.from(s, 'utf8');
    return this.int16(b.length).push(b);
  }
  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    return this.int32(b.length).push(b);
  }
  raw(b: Buffer): this {
    return this.push(b);
  }
  array<T>(items: readonly T[], item: (w: Writer, value: T) => void): this {
    this.int32(items.length);
    for (const value of items) item(this, value);
    return this;
  }
  varint(v: number): this {
    let zz = (BigInt(v) << 1n) ^ (BigInt(v) >> 63n);
    const bytes: number[] = [];
    do {
      let byte = Number(zz & 0x7fn);
      zz >>= 7n;
      if (zz !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (zz !== 0n);
    return this.push(Buffer.from(bytes));
  }
  varBytes(b: Buffer | null): this {
    if (b === null) return this.varint(-1);
    return this.varint(b.length).push(b);
  }
  get size(): number {
    return this.length;
  }
  buffer(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven: the checksum of record batch v2. */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC32C_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
