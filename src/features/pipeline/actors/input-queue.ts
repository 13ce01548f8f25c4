/**
 * An operator's input queue: items in arrival order, with channels that can be blocked (barrier
 * alignment) so that the next item is the oldest one on a channel that is not.
 *
 * Taking from the head is O(1) (a moving head index, compacted now and then), because a replay
 * after a restore can queue many thousands of items; taking past blocked items is a splice, rare.
 *
 * Guarantee: `peek` offers the oldest item on a channel that is not blocked, so items taken
 * through it leave each channel in arrival order (a logged replay takes by `indexOf` in the order
 * its log gives instead); blocking holds a channel's items back, never drops them; and
 * `pendingEvents` is exactly the queued data items, oldest first, for an unaligned capture.
 *
 * How it fails: it has no bound of its own — what bounds it is upstream (direct channels' credit
 * windows, the log transport's `MAX_BUFFERED`); it lives in memory, so a crash empties it; and
 * with every channel that has items blocked it offers nothing, which is what alignment waits on.
 * Shown by test/features/pipeline/input-queue.test.ts.
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import type { Marker, PendingItem } from '../../checkpoint/actors/index.ts';
import type { StreamEvent } from './event.ts';

export interface QueuedItem {
  readonly channel: string;
  readonly position: number;
  readonly arrivedUs: Micros;
  readonly event?: StreamEvent;
  readonly marker?: Marker;
}

const COMPACT_AFTER = 1024;

export class InputQueue {
  private items: QueuedItem[] = [];
  private head = 0;
  private readonly blocked = new Set<string>();

  push(item: QueuedItem): void {
    this.items.push(item);
  }

  /** The oldest item on an unblocked channel, and where it is. */
  peek(): { index: number; item: QueuedItem } | undefined {
    for (let index = this.head; index < this.items.length; index++) {
      const item = this.items[index];
      if (!this.blocked.has(item.channel)) return { index, item };
    }
    return undefined;
  }

  take(index: number): QueuedItem {
    const item = this.items[index];
    if (index === this.head) {
      this.head++;
      if (this.head >= COMPACT_AFTER && this.head * 2 >= this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
    } else {
      this.items.splice(index, 1);
    }
    return item;
  }

  /** Where the item at `position` of `channel` is, or -1 (a logged replay takes items in a given order). */
  indexOf(channel: string, position: number): number {
    for (let index = this.head; index < this.items.length; index++) {
      const item = this.items[index];
      if (item.channel === channel && item.position === position) return index;
    }
    return -1;
  }

  block(channel: string): void {
    this.blocked.add(channel);
  }

  unblockAll(): void {
    this.blocked.clear();
  }

  /** The queued data items (markers left out), oldest first, as checkpoint channel state. */
  pendingEvents(): PendingItem[] {
    const pending: PendingItem[] = [];
    for (let index = this.head; index < this.items.length; index++) {
      const item = this.items[index];
      if (item.event !== undefined) pending.push({ channel: item.channel, position: item.position, event: item.event });
    }
    return pending;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.blocked.clear();
  }

  get length(): number {
    return this.items.length - this.head;
  }
}
