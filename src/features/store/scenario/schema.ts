/**
 * The scenario section of the single-node event store: the `event-store` service kind. A workload
 * producer writing to one needs no extra fields (its rate, size, timeout and retries are core).
 */
import * as z from 'zod';
import { placementFields } from '../../../scenario/fields.ts';
import type { FlushPolicy } from '../../../scenario/types.ts';
import { describeInput, tryReadDuration } from '../../../scenario/units.ts';

const FLUSH_MESSAGE = 'expected "every-write", "never" or a duration like "100ms"';

/** The policy, or the message explaining why `input` is none. */
function readFlush(input: unknown): FlushPolicy | string {
  if (input === 'every-write' || input === 'never') return { kind: input };
  const interval = tryReadDuration(input);
  if (interval.ok && interval.value > 0) return { kind: 'interval', intervalUs: interval.value };
  return `${FLUSH_MESSAGE}, got ${describeInput(input)}`;
}

const flushField = z
  .union([z.string(), z.number()], { error: (issue) => `${FLUSH_MESSAGE}, got ${describeInput(issue.input)}` })
  .transform((input, ctx): FlushPolicy => {
    const policy = readFlush(input);
    if (typeof policy !== 'string') return policy;
    ctx.addIssue({ code: 'custom', message: policy, input });
    return z.NEVER;
  });

export const eventStoreSchema = z.strictObject({
  kind: z.literal('event-store').describe('event-store: a single-node durable event store.'),
  ...placementFields,
  flush: flushField
    .prefault('every-write')
    .describe('When writes are fsynced: every-write, never, or a duration (fsync every interval). Default every-write.'),
});

export type WrittenEventStore = z.output<typeof eventStoreSchema>;

declare module '../../../scenario/written-types.ts' {
  interface WrittenServiceKinds {
    'event-store': WrittenEventStore;
  }
}
