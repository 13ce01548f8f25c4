/**
 * The Kafka codec against byte fixtures derived from the protocol guide, and record batches against
 * an independent implementation (kafkajs's own encoder and decoder) in both directions.
 */
import test from 'ava';
import { createRequire } from 'node:module';
import * as api from '../../../../src/exec/emulate/kafka/apis.ts';
import { decodeBatches, encodeBatch, UnsupportedCompression } from '../../../../src/exec/emulate/kafka/record-batch.ts';
import { crc32c, Reader, WireError, Writer } from '../../../../src/exec/emulate/kafka/wire.ts';

const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js');
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js');

const hex = (b: Buffer) => b.toString('hex');

test('CRC-32C matches the standard check value and RFC 3720 vectors', (t) => {
  t.is(crc32c(Buffer.from('123456789')), 0xe3069283);
  t.is(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
  t.is(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
});

test('zigzag varints: the protocol guide examples, and round trips up to 2^53', (t) => {
  const fixtures: [number, string][] = [[0, '00'], [-1, '01'], [1, '02'], [-2, '03'], [63, '7e'], [-64, '7f'], [64, '8001'], [300, 'd804']];
  for (const [value, bytes] of fixtures) {
    t.is(hex(new Writer().varint(value).buffer()), bytes, `${value}`);
    t.is(new Reader(Buffer.from(bytes, 'hex')).varint(), value);
  }
  for (const value of [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1_700_000_000_000, -12345]) t.is(new Reader(new Writer().varint(value).buffer()).varint(), value);
});

test('strings, bytes and arrays: int16 / int32 length prefixes, -1 for null', (t) => {
  const bytes = new Writer().string('ab').string(null).bytes(Buffer.from([7])).bytes(null).array([1, 2], (w, v) => w.int32(v)).buffer();
  t.is(hex(bytes), '00026162' + 'ffff' + '0000000107' + 'ffffffff' + '00000002' + '00000001' + '00000002');
  const r = new Reader(bytes);
  t.is(r.string(), 'ab');
  t.is(r.nullableString(), null);
  t.deepEqual([...r.bytes()!], [7]);
  t.is(r.bytes(), null);
  t.deepEqual(r.array((r) => r.int32()), [1, 2]);
  t.throws(() => new Reader(Buffer.from('0005ab', 'hex')).string(), { instanceOf: WireError });
});

test('ApiVersions v0 response: error code, then [key, min, max] for every supported API', (t) => {
  const body = api.encodeApiVersions(0);
  const r = new Reader(body);
  t.is(r.int16(), 0);
  const apis = r.array((r) => [r.int16(), r.int16(), r.int16()]);
  t.deepEqual(apis, api.SUPPORTED_VERSIONS.map((v) => [...v]));
  t.is(r.remaining, 0);
  t.is(api.encodeApiVersions(1).length, body.length + 4, 'v1 adds throttle_time_ms');
  t.is(hex(api.unsupportedBody(api.API.ApiVersions).subarray(0, 2)), '0023', 'UNSUPPORTED_VERSION (35) first');
  t.is(hex(api.unsupportedBody(99)), '0023');
});

test('request header v1 and response frame', (t) => {
  const frame = Buffer.from('0012' + '0003' + '0000002a' + '0003' + '616263', 'hex');
  t.deepEqual(api.decodeHeader(new Reader(frame)), { apiKey: 18, apiVersion: 3, correlationId: 42, clientId: 'abc' });
  t.is(hex(api.frameResponse(42, Buffer.from([1, 2]))), '00000006' + '0000002a' + '0102');
  t.true(api.supported(api.API.Produce, 3));
  t.false(api.supported(api.API.Produce, 9), 'flexible versions are not advertised');
  t.false(api.supported(api.API.ApiVersions, 3));
});

test('Produce v3 request fixture decodes field by field', (t) => {
  const records = Buffer.from('cafe', 'hex');
  const fixture = new Writer().string(null).int16(-1).int32(30000).array([0], (w) => w.string('t').array([0], (w) => w.int32(2).bytes(records))).buffer();
  t.deepEqual(api.decodeProduce(new Reader(fixture)), { transactionalId: null, acks: -1, timeoutMs: 30000, topics: [{ name: 't', partitions: [{ partition: 2, records }] }] });
  const response = api.encodeProduce([{ name: 't', partitions: [{ partition: 2, error: 0, baseOffset: 7 }] }]);
  t.is(hex(response), '00000001' + '000174' + '00000001' + '00000002' + '0000' + '0000000000000007' + 'ffffffffffffffff' + '00000000');
});

const sample = {
  baseOffset: 40,
  partitionLeaderEpoch: 3,
  producerId: 9,
  producerEpoch: 0,
  baseSequence: 17,
  records: [
    { timestamp: 1_700_000_000_000, key: Buffer.from('k1'), value: Buffer.from('hello'), headers: [{ key: 'h', value: Buffer.from('x') }] },
    { timestamp: 1_700_000_000_005, key: null, value: null, headers: [] },
  ],
};

test('record batch v2: the header layout of the spec (61 bytes), and the CRC over attributes … end', (t) => {
  const bytes = encodeBatch(sample);
  const r = new Reader(bytes);
  t.is(r.int64(), 40, 'base offset');
  t.is(r.int32(), bytes.length - 12, 'batch length counts from the leader epoch');
  t.is(r.int32(), 3, 'partition leader epoch');
  t.is(r.int8(), 2, 'magic');
  t.is(r.uint32(), crc32c(bytes.subarray(21)), 'CRC-32C');
  t.is(r.int16(), 0, 'attributes: uncompressed, CreateTime');
  t.is(r.int32(), 1, 'last offset delta');
  t.is(r.int64(), 1_700_000_000_000, 'first timestamp');
  t.is(r.int64(), 1_700_000_000_005, 'max timestamp');
  t.is(r.int64(), 9, 'producer id');
  t.is(r.int16(), 0, 'producer epoch');
  t.is(r.int32(), 17, 'base sequence');
  t.is(r.int32(), 2, 'record count');
  t.is(r.offset, 61);
  // The second record: length, attributes 0, timestamp delta 5, offset delta 1, null key, null value, no headers.
  t.true(hex(bytes).endsWith('0c' + '00' + '0a' + '02' + '01' + '01' + '00'));
});

test('record batch v2 round trip, and a flipped bit is refused by the CRC', (t) => {
  const bytes = encodeBatch(sample);
  const [batch] = decodeBatches(bytes);
  t.like(batch, { baseOffset: 40, partitionLeaderEpoch: 3, producerId: 9, producerEpoch: 0, baseSequence: 17, transactional: false });
  t.deepEqual(batch!.records, sample.records);
  const twice = decodeBatches(Buffer.concat([bytes, bytes]));
  t.is(twice.length, 2);
  const corrupt = Buffer.from(bytes);
  corrupt[corrupt.length - 3]! ^= 1;
  t.throws(() => decodeBatches(corrupt), { instanceOf: WireError, message: /CRC-32C/ });
});

test('record batches agree with kafkajs in both directions (gzip included)', async (t) => {
  const records = [
    Record({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('a'), value: Buffer.from('one'), headers: { trace: 'x' } }),
    Record({ offsetDelta: 1, timestampDelta: 3, key: null, value: Buffer.from('two') }),
  ];
  for (const compression of [0, 1]) {
    const encoder = await RecordBatch({ compression, firstOffset: 0, firstTimestamp: 1000, maxTimestamp: 1003, lastOffsetDelta: 1, producerId: 5, producerEpoch: 0, firstSequence: 4, records });
    const [batch] = decodeBatches(encoder.buffer);
    t.is(batch!.producerId, 5);
    t.is(batch!.baseSequence, 4);
    t.deepEqual(
      batch!.records.map((r) => [r.timestamp, r.key?.toString() ?? null, r.value?.toString(), r.headers.map((h) => [h.key, h.value?.toString()])]),
      [
        [1000, 'a', 'one', [['trace', 'x']]],
        [1003, null, 'two', []],
      ],
      `compression ${compression}`,
    );
  }
  const ours = encodeBatch(sample);
  const decoded = await decodeKafkajsBatch(new KafkajsDecoder(ours));
  t.is(decoded.firstOffset, '40');
  t.deepEqual(
    decoded.records.map((r: { offset: string; key: Buffer | null; value: Buffer | null; timestamp: string }) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp]),
    [
      ['40', 'k1', 'hello', '1700000000000'],
      ['41', null, null, '1700000000005'],
    ],
  );
});

test('other codecs and older magic bytes are refused with a clear message', (t) => {
  const bytes = Buffer.from(encodeBatch(sample));
  const lz4 = Buffer.from(bytes);
  lz4.writeInt16BE(3, 21);
  lz4.writeUInt32BE(crc32c(lz4.subarray(21)), 17);
  t.throws(() => decodeBatches(lz4), { instanceOf: UnsupportedCompression, message: /lz4/ });
  const magic1 = Buffer.from(bytes);
  magic1[16] = 1;
  t.throws(() => decodeBatches(magic1), { message: /magic 1/ });
});
