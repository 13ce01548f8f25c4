/**
 * Resolution of the `forwarders:` section. Pure, and total on fields that passed
 * `cross-check-forward.ts`.
 */
import type { WrittenForwarder } from './schema.ts';
import type { ForwarderSpec } from './types.ts';

export function resolveForwarder(name: string, f: WrittenForwarder, placed: { node: string; site: string }): ForwarderSpec {
  const from: ForwarderSpec['from'] =
    'buffer' in f.from
      ? { kind: 'buffer', buffer: { capacityBytes: f.from.buffer.capacity, overflow: f.from.buffer.overflow, spillBytes: f.from.buffer.spill, spillBandwidthBytesPerSec: f.from.buffer['spill.bandwidth'] } }
      : { kind: 'log', service: f.from.service, topic: f.from.topic };
  return {
    name,
    ...placed,
    from,
    to: { service: f.to.service, topic: f.to.topic },
    batchBytes: f.batch,
    maxInFlight: f['max.in.flight'],
    requestTimeoutUs: f.timeout,
    retryBackoffUs: f['retry.backoff'],
    maxBackoffUs: f['retry.backoff.max'],
    ...(f.window === undefined ? {} : { window: { periodUs: f.window.every, upUs: f.window.up, offsetUs: f.window.offset } }),
  };
}
