/**
 * The gauges the timeline's panels draw, derived from `log` and `client` records while a trace
 * streams by (see `viz/wire/gauges.ts` for their form):
 *
 * - consumer lag per group and partition: the partition's high watermark (at its current leader)
 *   minus the group's committed offset — Kafka's consumer-group lag, where "log end" is what a
 *   consumer may read (the high watermark) and the committed offset is the next one to consume;
 *   a forwarder reading a log source is drawn the same way, under its actor's name, against the
 *   source position its `forward` records carry (`srcEnd`, the next offset it will plan);
 * - in-sync replicas per partition: the length of the `isr` the controller last recorded
 *   (elect, isr-shrink, isr-expand, offline);
 * - edge buffer fill per forwarder: bytes buffered (in memory and spilled), and spilled bytes
 *   alone when anything spilled, against the buffer's capacity.
 *
 * Guarantee: each gauge is a `StepSeries`, so its size is bounded whatever the trace's length;
 * memory is one entry per partition, group, forwarder and consumer. Partitions are told apart per
 * log cluster (named by its controller), so two services with the same topic do not mix. A group's
 * lag starts at its first `commit` or `consume` of a partition, counting from offset 0 until its
 * first commit; a forwarder's lag starts at its first planned batch.
 *
 * How it fails: records without the fields named above are ignored, so a trace without logs,
 * consumer groups or forwarders yields no gauge and the page draws no panel for it.
 */
import type { GaugeWire } from '../../../viz/wire/gauges.ts';
import type { TraceRecord } from '../../kernel/contract/index.ts';
import { StepSeries } from './step-series.ts';

interface Partition {
  /** The leader the controller last elected, whose `hw` records count. */
  leader: string | null;
  hw: number;
  /** Committed offsets of the groups reading it, and their lag series. */
  groups: Map<string, { committed: number; lag: StepSeries }>;
  isr: StepSeries | null;
}

const integer = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);
/** What a group consumer sends to its cluster; an operator also producing elsewhere is not misplaced. */
const CONSUMER_REQUESTS = new Set<unknown>(['fetch', 'offset-commit', 'offset-fetch']);

export class PanelGauges {
  /**
   * Partitions per log cluster, a cluster being named by its controller's actor: two services
   * (an HPC-local log and a wide-area one) may both have a `frames/0`.
   */
  private readonly clusters = new Map<string, Map<string, Partition>>();
  /** The cluster (controller) of each broker the controllers named, and of each consumer that fetched from one. */
  private readonly clusterOf = new Map<string, string>();
  /** Per forwarder; `spilled` once anything went to disk, so a buffer that never spills draws no spill line. */
  private readonly buffers = new Map<string, { fill: StepSeries; spill: StepSeries; spilled: boolean; capacity: number }>();

  add(record: TraceRecord): void {
    if (record.k === 'log') this.log(record);
    else if (record.k === 'send' && CONSUMER_REQUESTS.has(record.msg) && typeof record.to === 'string') this.learnCluster(record.a, record.to);
    else if (record.k === 'client' && record.op === 'buffer') this.buffer(record);
    else if (record.k === 'client' && (record.op === 'commit' || record.op === 'consume')) this.consumer(record);
    else if (record.k === 'client' && record.op === 'forward' && integer(record.srcEnd)) this.forwarder(record);
  }

  /** The gauges; `minInsync` (`<controller>|<topic>` → min.insync.replicas) marks the ISR lines. */
  gauges(minInsync: ReadonlyMap<string, number> = new Map()): GaugeWire[] {
    const gauges: GaugeWire[] = [];
    // The service's name (its controller is `<service>-controller`) only when there are several.
    const prefix = (controller: string) => (this.clusters.size > 1 ? `${controller.replace(/-controller$/, '')} ` : '');
    for (const [controller, partitions] of this.clusters) {
      for (const [key, partition] of partitions) {
        for (const [group, { lag }] of partition.groups) gauges.push({ panel: 'lag', name: `${group} · ${prefix(controller)}${key}`, role: 'level', ...lag.steps() });
      }
    }
    for (const [controller, partitions] of this.clusters) {
      for (const [key, { isr }] of partitions) {
        if (isr === null) continue;
        const limit = minInsync.get(`${controller}|${key.slice(0, key.lastIndexOf('/'))}`);
        gauges.push({ panel: 'isr', name: `${prefix(controller)}${key}`, role: 'level', ...isr.steps(), ...(limit === undefined ? {} : { limit }) });
      }
    }
    for (const [actor, { fill, spill, spilled, capacity }] of this.buffers) {
      const limit = capacity > 0 ? { limit: capacity } : {};
      gauges.push({ panel: 'buffer', name: actor, role: 'fill', ...fill.steps(), ...limit });
      if (spilled) gauges.push({ panel: 'buffer', name: `${actor} spilled`, role: 'spill', ...spill.steps() });
    }
    return gauges;
  }

  private partition(controller: string, topic: unknown, partition: unknown): Partition | undefined {
    if (typeof topic !== 'string' || !integer(partition)) return undefined;
    const key = `${topic}/${partition}`;
    let partitions = this.clusters.get(controller);
    if (partitions === undefined) this.clusters.set(controller, (partitions = new Map()));
    let state = partitions.get(key);
    if (state === undefined) partitions.set(key, (state = { leader: null, hw: 0, groups: new Map(), isr: null }));
    return state;
  }

  private learnCluster(client: string, to: string): void {
    const cluster = this.clusters.has(to) ? to : this.clusterOf.get(to);
    if (cluster !== undefined && !this.clusters.has(client)) this.clusterOf.set(client, cluster);
  }

  private log(record: TraceRecord): void {
    // Only the controller's records carry the replica count; a broker's `leader` record lists
    // the ISR as that broker last heard it, which may be stale.
    if (Array.isArray(record.isr) && integer(record.replicas)) {
      const partition = this.partition(record.a, record.topic, record.partition);
      if (partition === undefined) return;
      for (const broker of record.isr) if (typeof broker === 'string') this.clusterOf.set(broker, record.a);
      if (typeof record.leader === 'string') this.clusterOf.set(record.leader, record.a);
      partition.isr ??= new StepSeries();
      partition.isr.set(record.t, record.isr.length);
      if (record.leader !== undefined) partition.leader = typeof record.leader === 'string' ? record.leader : null;
      return;
    }
    const controller = this.clusterOf.get(record.a);
    if (record.op !== 'hw' || controller === undefined || !integer(record.offset)) return;
    const partition = this.partition(controller, record.topic, record.partition);
    if (partition === undefined || partition.leader !== record.a) return;
    partition.hw = record.offset;
    for (const group of partition.groups.values()) group.lag.set(record.t, Math.max(0, partition.hw - group.committed));
  }

  private consumer(record: TraceRecord): void {
    if (typeof record.group !== 'string') return;
    this.position(record, record.group, record.topic, record.partition, record.op === 'commit' && integer(record.offset) ? record.offset : undefined);
  }

  /** A forwarder reads its log source like a consumer group of one, named after the forwarder. */
  private forwarder(record: TraceRecord): void {
    this.position(record, record.a, record.srcTopic, record.srcPartition, record.srcEnd as number);
  }

  /** Moves `group`'s committed position on a partition (when `committed` is given) and sets its lag. */
  private position(record: TraceRecord, name: string, topic: unknown, p: unknown, committed: number | undefined): void {
    // The reader's cluster is the one it fetches from; before any fetch, the first with the partition.
    const key = `${String(topic)}/${String(p)}`;
    const controller = this.clusterOf.get(record.a) ?? [...this.clusters].find(([, partitions]) => partitions.has(key))?.[0];
    const partition = controller === undefined ? undefined : this.partition(controller, topic, p);
    if (partition === undefined) return;
    let group = partition.groups.get(name);
    if (group === undefined) partition.groups.set(name, (group = { committed: 0, lag: new StepSeries() }));
    if (committed !== undefined) group.committed = Math.max(group.committed, committed);
    group.lag.set(record.t, Math.max(0, partition.hw - group.committed));
  }

  private buffer(record: TraceRecord): void {
    const fast = integer(record.fastBytes) ? record.fastBytes : 0;
    const spilled = integer(record.spillBytes) ? record.spillBytes : 0;
    let buffer = this.buffers.get(record.a);
    if (buffer === undefined) this.buffers.set(record.a, (buffer = { fill: new StepSeries(), spill: new StepSeries(), spilled: false, capacity: 0 }));
    if (integer(record.capacityBytes)) buffer.capacity = record.capacityBytes;
    buffer.fill.set(record.t, fast + spilled);
    buffer.spill.set(record.t, spilled);
    buffer.spilled ||= spilled > 0;
  }
}
