/**
 * The settings a Kafka producer refuses, or quietly adjusts, when it starts — applied the same way
 * to every log producer of a scenario (the workload's and the alert producer).
 *
 * Idempotence (`ProducerConfig.postProcessAndValidateIdempotenceConfigs`, Kafka 3.x) needs
 * `acks` all, `retries` > 0 and `max.in.flight.requests.per.connection` ≤ 5 (the broker remembers
 * a producer's last five batches).
 *
 * - `enable.idempotence: true` written out with a setting that breaks one of these: Kafka throws a
 *   `ConfigException` and the producer never starts; here it is an input error at that line
 *   (cross-check.ts), naming both settings.
 * - `enable.idempotence` not written (its default is true since Kafka 3.0): Kafka silently turns
 *   idempotence off instead, and so does resolution here (`idempotenceOf`).
 *
 * Kafka 4.0 differs in one case: `max.in.flight.requests.per.connection` > 5 is refused even with
 * idempotence on only by default (KAFKA-17927); we follow 3.x and turn idempotence off.
 *
 * Buffer memory: Kafka's `BufferPool.allocate` refuses an allocation larger than `buffer.memory`
 * (IllegalArgumentException), and every new batch asks for at least `batch.size`: a `buffer.memory`
 * below `batch.size` could open no batch at all, and is an input error here.
 *
 * Delivery timeout (`KafkaProducer.configureDeliveryTimeout`): `delivery.timeout.ms` must be at
 * least `linger.ms + request.timeout.ms`. Written out shorter, the producer is refused; left unset,
 * its default (2 min) is raised to that sum when the sum is longer.
 */
import { MS, SECOND, formatMicros, type Micros } from '../../../kernel/contract/index.ts';
import { BUFFER_MEMORY_DEFAULT, MAX_BLOCK_DEFAULT_US, MAX_REQUEST_SIZE_DEFAULT } from '../actors/config.ts';
import type { WrittenLogProducer } from './schema.ts';
import { formatSize } from '../../../scenario/units.ts';

/** Kafka producer defaults (Kafka 3.x, and 4.0's linger.ms of 5 ms). */
export const LOG_PRODUCER_DEFAULTS = {
  acks: -1,
  lingerUs: 5 * MS,
  batchBytes: 16 * 1024,
  maxRequestBytes: MAX_REQUEST_SIZE_DEFAULT,
  bufferMemoryBytes: BUFFER_MEMORY_DEFAULT,
  maxBlockUs: MAX_BLOCK_DEFAULT_US,
  maxInFlight: 5,
  requestTimeoutUs: 30 * SECOND,
  /** Integer.MAX_VALUE: retries never run out first; `delivery.timeout.ms` ends a batch. */
  retries: 2_147_483_647,
  retryBackoffUs: 100 * MS,
  retryBackoffMaxUs: 1 * SECOND,
  deliveryTimeoutUs: 120 * SECOND,
  partitioner: 'sticky',
  keys: 16,
} as const;

/** What Kafka checks; `retries` is a core producer field, absent from the alert producer. */
export type ProducerSettings = Pick<
  WrittenLogProducer,
  'enable.idempotence' | 'acks' | 'max.in.flight.requests.per.connection' | 'linger.ms' | 'request.timeout.ms' | 'delivery.timeout.ms' | 'buffer.memory' | 'batch.size'
> & {
  readonly retries?: number | undefined;
};

/** Kafka's ceiling on in-flight requests for an idempotent producer (`ProducerStateEntry.NUM_BATCHES_TO_RETAIN`). */
export const IDEMPOTENT_MAX_IN_FLIGHT = 5;

/** Each setting that conflicts with idempotence, with the sentence that says why and what to do. */
export function idempotenceConflicts(spec: ProducerSettings): { readonly setting: string; readonly message: string }[] {
  const refused = (kafka: string) => `(Kafka refuses this producer at start: "${kafka}")`;
  const conflicts: { setting: string; message: string }[] = [];
  const acks = spec.acks;
  if (acks !== undefined && acks !== 'all' && acks !== -1) {
    conflicts.push({
      setting: 'acks',
      message: `enable.idempotence: true needs acks: all, but acks is ${acks} ${refused('Must set acks to all in order to use the idempotent producer')}; set acks: all, or enable.idempotence: false`,
    });
  }
  const inFlight = spec['max.in.flight.requests.per.connection'];
  if (inFlight !== undefined && inFlight > IDEMPOTENT_MAX_IN_FLIGHT) {
    conflicts.push({
      setting: 'max.in.flight.requests.per.connection',
      // Kafka's own sentence would restate the rule and push the advice past a line's 300 characters.
      message: `enable.idempotence: true needs max.in.flight.requests.per.connection ≤ ${IDEMPOTENT_MAX_IN_FLIGHT}, but it is ${inFlight}, and Kafka refuses such a producer at start; lower it, or set enable.idempotence: false`,
    });
  }
  if (spec.retries === 0) {
    conflicts.push({
      setting: 'retries',
      message: `enable.idempotence: true needs retries > 0, but retries is 0 ${refused('Must set retries to non-zero when using the idempotent producer')}; leave retries unset, or set enable.idempotence: false`,
    });
  }
  return conflicts;
}

/** Whether the producer is idempotent: as written, else Kafka's default — on, unless a setting conflicts. */
export function idempotenceOf(spec: ProducerSettings): boolean {
  return spec['enable.idempotence'] ?? idempotenceConflicts(spec).length === 0;
}

/** The least `delivery.timeout.ms` Kafka accepts: `linger.ms + request.timeout.ms`. */
function leastDeliveryTimeoutUs(spec: ProducerSettings): Micros {
  return (spec['linger.ms'] ?? LOG_PRODUCER_DEFAULTS.lingerUs) + (spec['request.timeout.ms'] ?? LOG_PRODUCER_DEFAULTS.requestTimeoutUs);
}

/** A written `delivery.timeout.ms` Kafka would refuse, with the sentence that says why; else undefined. */
export function deliveryTimeoutConflict(spec: ProducerSettings): string | undefined {
  const written = spec['delivery.timeout.ms'];
  if (written === undefined || written >= leastDeliveryTimeoutUs(spec)) return undefined;
  const linger = formatMicros(spec['linger.ms'] ?? LOG_PRODUCER_DEFAULTS.lingerUs);
  const request = formatMicros(spec['request.timeout.ms'] ?? LOG_PRODUCER_DEFAULTS.requestTimeoutUs);
  return `delivery.timeout.ms (${formatMicros(written)}) must be at least linger.ms + request.timeout.ms (${linger} + ${request} = ${formatMicros(leastDeliveryTimeoutUs(spec))}), and Kafka refuses a producer with less at start; raise it, or lower request.timeout.ms`;
}

/** `delivery.timeout.ms` as written, else Kafka's default raised to `linger.ms + request.timeout.ms` if that is longer. */
export function deliveryTimeoutOf(spec: ProducerSettings): Micros {
  return spec['delivery.timeout.ms'] ?? Math.max(LOG_PRODUCER_DEFAULTS.deliveryTimeoutUs, leastDeliveryTimeoutUs(spec));
}

/** A written `buffer.memory` smaller than `batch.size` (no batch could ever be opened), with the sentence that says why; else undefined. */
export function bufferMemoryConflict(spec: ProducerSettings): string | undefined {
  const memory = spec['buffer.memory'];
  const batch = spec['batch.size'] ?? LOG_PRODUCER_DEFAULTS.batchBytes;
  if (memory === undefined || memory >= batch) return undefined;
  return `buffer.memory (${formatSize(memory)}) must be at least batch.size (${formatSize(batch)}): Kafka's producer takes batch.size of it for every new batch, so it could open none; raise buffer.memory, or lower batch.size`;
}
