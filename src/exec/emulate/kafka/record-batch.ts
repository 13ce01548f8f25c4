/**
 * Kafka's record batch, magic 2 (the on-wire and on-disk format since Kafka 0.11): a 61-byte header
 * — base offset, length, partition leader epoch, magic, CRC-32C, attributes, last offset delta,
 * first and max timestamp, producer id, producer epoch, base sequence, record count — followed by
 * the records, each a varint-framed run of varint fields.
 *
 * Guarantee: `decodeBatches` checks the magic byte and the CRC-32C of every batch (over attributes
 * … end, as the broker does) and throws a `WireError` on any mismatch, so a corrupt produce is
 * refused, never stored. Compression: none, and gzip (node's zlib); any other codec throws an
 * `UnsupportedCompression`. `encodeBatch` always writes uncompressed batches with CreateTime
 * timestamps.
 */
import { gunzipSync } from 'node:zlib';
import { crc32c, Reader, WireError, Writer } from './wire.ts';

export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

export interface KafkaRecord {
  /** Milliseconds since the epoch (CreateTime). */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

export interface RecordBatch {
  readonly baseOffset: number;
  readonly partitionLeaderEpoch: number;
  /** -1 when the producer is not idempotent. */
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly transactional: boolean;
  readonly records: readonly KafkaRecord[];
}

export class UnsupportedCompression extends WireError {}

const MAGIC_V2 = 2;
/** Bytes before the CRC-covered part: base offset, length, leader epoch, magic, crc. */
const CRC_START = 21;
const COMPRESSION_MASK = 0x07;
const TRANSACTIONAL = 0x10;

/** The batches of a produce request's or a fetch response's record set. */
export function decodeBatches(records: Buffer): RecordBatch[] {
  const reader = new Reader(records);
  const batches: RecordBatch[] = [];
  while (reader.remaining > 0) {
    const start = reader.offset;
    const baseOffset = reader.int64();
    const length = reader.int32();
    const end = reader.offset + length;
    if (length < CRC_START - 12 || end > records.length) throw new WireError(`record batch at byte ${start} claims ${length} bytes, ${records.length - reader.offset} remain`);
    const partitionLeaderEpoch = reader.int32();
    const magic = reader.int8();
    if (magic !== MAGIC_V2) throw new WireError(`record batch magic ${magic}: only magic 2 (Kafka 0.11+) is supported`);
    const crc = reader.uint32();
    const computed = crc32c(records.subarray(start + CRC_START, end));
    if (crc !== computed) throw new WireError(`record batch at byte ${start}: CRC-32C ${crc.toString(16)} does not match its content (${computed.toString(16)})`);
    const attributes = reader.int16();
    reader.int32(); // last offset delta: implied by the records
    const firstTimestamp = reader.int64();
    reader.int64(); // max timestamp
    const producerId = reader.int64();
    const producerEpoch = reader.int16();
    const baseSequence = reader.int32();
    const count = reader.int32();
    let body = reader.raw(end - reader.offset);
    const codec = attributes & COMPRESSION_MASK;
    if (codec === 1) body = gunzipSync(body);
    else if (codec !== 0) throw new UnsupportedCompression(`compression codec ${codec} (${['none', 'gzip', 'snappy', 'lz4', 'zstd'][codec] ?? 'unknown'}): only none and gzip are supported`);
    const recordsReader = new Reader(body);
    const decoded: KafkaRecord[] = [];
    for (let i = 0; i < count; i++) decoded.push(decodeRecord(recordsReader, firstTimestamp));
    batches.push({ baseOffset, partitionLeaderEpoch, producerId, producerEpoch, baseSequence, transactional: (attributes & TRANSACTIONAL) !== 0, records: decoded });
  }
  return batches;
}

function decodeRecord(reader: Reader, firstTimestamp: number): KafkaRecord {
  const length = reader.varint();
  const end = reader.offset + length;
  reader.int8(); // record attributes: unused
  const timestamp = firstTimestamp + reader.varint();
  reader.varint(); // offset delta: records are consecutive
  const key = reader.varBytes();
  const value = reader.varBytes();
  const headers: RecordHeader[] = [];
  const count = reader.varint();
  for (let i = 0; i < count; i++) {
    const k = reader.varBytes();
    headers.push({ key: k === null ? '' : k.toString('utf8'), value: reader.varBytes() });
  }
  if (reader.offset !== end) throw new WireError(`record of ${length} bytes ends at ${reader.offset - (end - length)}`);
  return { timestamp, key, value, headers };
}

/** One uncompressed batch of consecutive offsets from `baseOffset`. */
export function encodeBatch(batch: Omit<RecordBatch, 'transactional'>): Buffer {
  const records = batch.records;
  const firstTimestamp = records.length === 0 ? -1 : Math.min(...records.map((r) => r.timestamp));
  const maxTimestamp = records.length === 0 ? -1 : Math.max(...records.map((r) => r.timestamp));
  const body = new Writer();
  records.forEach((record, i) => {
    const w = new Writer().int8(0).varint(record.timestamp - firstTimestamp).varint(i).varBytes(record.key).varBytes(record.value).varint(record.headers.length);
    for (const h of record.headers) w.varBytes(Buffer.from(h.key, 'utf8')).varBytes(h.value);
    body.varint(w.size).raw(w.buffer());
  });
  const covered = new Writer()
    .int16(0)
    .int32(records.length - 1)
    .int64(firstTimestamp)
    .int64(maxTimestamp)
    .int64(batch.producerId)
    .int16(batch.producerEpoch)
    .int32(batch.baseSequence)
    .int32(records.length)
    .raw(body.buffer())
    .buffer();
  return new Writer()
    .int64(batch.baseOffset)
    .int32(covered.length + 9) // leader epoch, magic, crc, then the covered part
    .int32(batch.partitionLeaderEpoch)
    .int8(MAGIC_V2)
    .uint32(crc32c(covered))
    .raw(covered)
    .buffer();
}
