/**
 * What a restored operator replays under pessimistic message logging (checkpoint/actors/message-log.ts):
 * from its log's entries after the restored image, the messages it had received (queued again, in
 * the order they came) and the processing decisions it had made (replayed in that order before
 * anything new is taken).
 *
 * Guarantee: the queue and decisions it returns re-create the execution the log recorded — every
 * decision names an item that is queued (its receipt was durable before it) or the source event
 * that follows the image's. How it breaks: a log that lost an entry before its image's `logSeq`
 * cannot happen (the image is captured between events, after every decision in it was durable);
 * a replay that asks for an item that is not there fails the operator's assertion.
 */
import type { Context } from '../../../kernel/contract/index.ts';
import type { LoggedFact, MessageLog, OperatorImage } from '../../checkpoint/actors/index.ts';
import type { StreamEvent } from './event.ts';
import type { InputQueue } from './input-queue.ts';

/** A decision to replay, with its log sequence number (a checkpoint taken mid-replay resumes there). */
export type Decision = Exclude<LoggedFact, { kind: 'received' }> & { readonly seq: number };

/**
 * Queues the logged receipts that follow `image` (after its own pending items, already queued) and
 * returns the decisions to replay and the input positions the channels resume after.
 */
export function loadLoggedReplay(ctx: Context, log: MessageLog, image: OperatorImage | undefined, queue: InputQueue): { inputs: Record<string, number>; decisions: Decision[] } {
  const from = image?.logSeq ?? 0;
  const inputs: Record<string, number> = { ...image?.inputs };
  const decisions: Decision[] = [];
  let received = 0;
  for (const entry of log.entriesFrom(ctx, from)) {
    if (entry.kind !== 'received') {
      decisions.push(entry);
      continue;
    }
    // Received before the capture: in the image (state or pending) already.
    if (entry.position < (inputs[entry.channel] ?? 0)) continue;
    queue.push({ channel: entry.channel, position: entry.position, arrivedUs: ctx.now(), event: entry.event as StreamEvent });
    inputs[entry.channel] = entry.position + 1;
    received++;
  }
  log.resumeAfter(from);
  ctx.record('ckpt', { op: 'replay', from, events: decisions.length, received });
  return { inputs, decisions };
}
