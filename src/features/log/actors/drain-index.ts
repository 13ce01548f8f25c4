/**
 * Where each broker's next drain starts: Kafka 3.x's `RecordAccumulator.nodesDrainIndex`, one
 * index per node since KAFKA-13834 (PR 12066, merged in 2022; read in Kafka's source at a recent
 * trunk: `drainBatchesForOneNode`, `getDrainIndex`, `updateDrainIndex`). A producing client
 * drains, for each broker it sends to, the partitions that broker leads — in the order of its
 * metadata; here the partitions (or the sink's lanes) in ascending order — starting at the place
 * this index holds for that broker, wrapping around once.
 *
 * Kafka updates the index at every partition visited, before the size check and before
 * `shouldStopDrainBatchesForPartition`, so what it keeps is the place of the last partition
 * visited: after a drain that ended its request at a batch that did not fit (or must wait for its
 * numbering), the place of that batch's partition — the batch that closed a request opens the
 * next one; after a drain that visited every partition, the place before its start (start + n − 1,
 * mod n), so the next drain of a broker whose requests never fill starts one place *back*. A
 * broker that is not drained (not ready, no connection slot) keeps its index. Kafka 2.x kept one
 * index for all brokers, moved on past every partition visited before any check (so a drain that
 * broke at partition p made the next start at p + 1, for whatever broker came next).
 *
 * The index is a place in the broker's list, not a partition, as Kafka's is: when the list
 * changes (a leader moved), the place is taken modulo the new list's length and names whatever
 * partition now stands there.
 *
 * Guarantee: a drain that ends its request early starts the broker's next drain at the partition
 * it stopped at, so a batch that did not fit goes first in its broker's next request, and one
 * broker's drains never move another's start. How it fails (Kafka's too): a partition whose batch
 * may not be numbered yet (the producer's `shouldStopDrainBatchesForPartition`) ends the request
 * and holds the index, so every later drain of that broker starts there and ends at once, empty:
 * the broker's other partitions wait until that one may go on. Kafka 2.x's shared index moved past
 * it and did not.
 */
export class DrainIndex {
  /** Per broker, the place in its list of the last partition its last drain visited. */
  private readonly places = new Map<string, number>();

  /**
   * One drain of `broker`: `visit` each of `items` (the partitions, or lanes, it leads) from the
   * broker's index on, wrapping around once, until one answers 'stop' (it ends the request: a batch
   * that did not fit, or must wait for its numbering); 'go' — taken or passed over — visits the next.
   * The index is then the place of the item that stopped, or of the last one visited, as Kafka
   * updates it at every partition before its checks. An empty list leaves the index as it is.
   */
  drain<T>(broker: string, items: readonly T[], visit: (item: T) => 'go' | 'stop'): void {
    const size = items.length;
    if (size === 0) return;
    const start = (this.places.get(broker) ?? 0) % size;
    let place = start;
    for (let i = 0; i < size; i++) {
      place = (start + i) % size;
      if (visit(items[place]!) === 'stop') break;
    }
    this.places.set(broker, place);
  }
}

/**
 * Per broker, the items `0…count − 1` (partitions, or the sink's lanes) it leads as last known, in
 * ascending order — Kafka's `Cluster.partitionsForNode`, the lists `DrainIndex.drain` walks. Items
 * with no known leader are left out. The lists already in `into` are emptied and refilled (a caller
 * that drains often keeps one map).
 */
export function itemsPerLeader(count: number, leaderOf: (item: number) => string | null, into = new Map<string, number[]>()): Map<string, number[]> {
  for (const list of into.values()) list.length = 0;
  for (let item = 0; item < count; item++) {
    const leader = leaderOf(item);
    if (leader === null) continue;
    const list = into.get(leader);
    if (list === undefined) into.set(leader, [item]);
    else list.push(item);
  }
  return into;
}
