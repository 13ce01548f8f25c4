/**
 * Cross-section checks of `pipeline:` and `checkpoint:`: placements name existing nodes and sites,
 * every stream an operator reads is written by some operator and read by only one, stores exist
 * for the tiers a strategy writes to, and no strategy is asked for what it cannot do (aligned
 * barriers on a cyclic pipeline would wait for each other forever), and no stream on a log service
 * carries events larger, serialized (`batchSizeInBytes`), than its producers' `max.request.size` (every one would fail with
 * RecordTooLargeException before it is sent) or its topic's `max.message.bytes` (refused with
 * MESSAGE_TOO_LARGE: the leader compares the serialized size too) — pipeline event sizes are fixed, so it is known here, at the field that sets
 * the size.
 *
 * Guarantee: when it reports nothing, `resolve-pipeline.ts` and the pipeline builder can resolve
 * every name. Failure: one issue per problem at the exact path, with near names suggested.
 */
import { hasCycle, instanceName } from '../actors/topology.ts';
import { MAX_REQUEST_SIZE_DEFAULT, batchSizeInBytes } from '../../log/index.ts';
import type { Report } from '../../../scenario/paths.ts';
import { type Names, unknownNode, unknownSite } from '../../../scenario/name-messages.ts';
import { formatPath, type Path } from '../../../scenario/paths.ts';
import type { WrittenCheckpoint, WrittenPipeline } from './schema.ts';
import { suggestion } from '../../../scenario/suggest.ts';
import { formatSize } from '../../../scenario/units.ts';
import { streamEventSizes, type StreamEventSize } from './event-sizes.ts';

/** Checks that need a pipeline to mean anything. */
export const PIPELINE_CHECKS: readonly string[] = ['state-equals-reference', 'consistent-cuts', 'conservation'];

interface Sections {
  readonly pipeline?: WrittenPipeline | undefined;
  readonly checkpoint?: WrittenCheckpoint | undefined;
  readonly checks: readonly string[];
  readonly services?: Readonly<
    Record<
      string,
      {
        readonly kind: string;
        readonly 'max.message.bytes'?: number;
        readonly topics?: Readonly<Record<string, { readonly partitions?: number; readonly 'cleanup.policy'?: string; readonly 'max.message.bytes'?: number }>>;
      }
    >
  >;
}

interface Placed {
  readonly node?: string | undefined;
  readonly nodes?: readonly string[] | undefined;
  readonly site?: string | undefined;
}

export function checkPipeline(s: Sections, names: Names, report: Report): void {
  if (s.pipeline === undefined) {
    if (s.checkpoint !== undefined) report(['checkpoint'], 'a checkpoint strategy needs a `pipeline:` of operators to protect');
    s.checks.forEach((check, i) => {
      if (PIPELINE_CHECKS.includes(check)) report(['checks', i], `"${check}" checks a pipeline's operators, and the scenario has no \`pipeline:\``);
    });
    return;
  }
  const pipeline = s.pipeline;
  for (const [name, op] of Object.entries(pipeline.operators)) checkPlacement(op, ['pipeline', 'operators', name], names, report, true);
  checkStreams(pipeline, names, report);
  checkStreamLogs(pipeline, s.services ?? {}, report);
  if (s.checkpoint !== undefined) checkCheckpoint(s.checkpoint, pipeline, names, report);
  if (s.checkpoint?.tiers['log-topic'] !== undefined) checkLogTopicTier(s.checkpoint.tiers['log-topic'], s.services ?? {}, report);
}

/** The log-topic tier is a compacted topic of a log service: without compaction its checkpoints pile up, or age out. */
function checkLogTopicTier(placed: { readonly log: string; readonly topic: string }, services: NonNullable<Sections['services']>, report: Report): void {
  const path: Path = ['checkpoint', 'tiers', 'log-topic'];
  const service = services[placed.log];
  if (service === undefined || service.kind !== 'log') {
    const logs = Object.entries(services).filter(([, v]) => v.kind === 'log').map(([k]) => k);
    return report([...path, 'log'], `"${placed.log}" is not a log service${suggestion(placed.log, logs)}`);
  }
  const topic = service.topics?.[placed.topic];
  if (topic === undefined) report([...path, 'topic'], `service "${placed.log}" has no topic "${placed.topic}": add \`topics: { ${placed.topic}: { partitions: 1, cleanup.policy: compact } }\``);
  else if (topic['cleanup.policy'] !== 'compact') report([...path, 'topic'], `topic "${placed.topic}" of "${placed.log}" must be compacted to hold checkpoints: give it \`cleanup.policy: compact\``);
}

function checkPlacement(placed: Placed, path: Path, names: Names, report: Report, allowList: boolean): void {
  const given = (['node', 'nodes', 'site'] as const).filter((key) => placed[key] !== undefined);
  if (given.length === 0) return report(path, allowList ? 'needs "node", "nodes" or "site"' : 'needs "node" or "site"');
  if (given.length > 1) return report([...path, given[1]], `give one of ${allowList ? 'node, nodes and site' : 'node and site'}, not ${given.join(' and ')}`);
  if (placed.node !== undefined && !names.nodes.has(placed.node)) report([...path, 'node'], unknownNode(placed.node, names));
  placed.nodes?.forEach((node, i) => {
    if (!names.nodes.has(node)) report([...path, 'nodes', i], unknownNode(node, names));
  });
  if (placed.site !== undefined && !names.sites.includes(placed.site)) report([...path, 'site'], unknownSite(placed.site, names));
}

function checkStreams(pipeline: WrittenPipeline, names: Names, report: Report): void {
  const operators = Object.entries(pipeline.operators);
  const written = [...new Set(operators.map(([, op]) => op.to))];
  const readers = new Map<string, string>();
  for (const [name, op] of operators) {
    if (!('from' in op)) continue;
    const path: Path = ['pipeline', 'operators', name, 'from'];
    if (!written.includes(op.from)) report(path, `no operator writes stream "${op.from}"${suggestion(op.from, written, '; streams are named by the operators\' `to`')}`);
    const other = readers.get(op.from);
    if (other !== undefined) report(path, `stream "${op.from}" is already read by operator "${other}"; a stream has one reading operator (use its parallelism)`);
    else readers.set(op.from, name);
  }
  for (const [stream, placed] of Object.entries(pipeline.streams)) {
    const path: Path = ['pipeline', 'streams', stream];
    if (!written.includes(stream)) report(path, `no operator writes stream "${stream}"${suggestion(stream, written)}`);
    if (placed.log === undefined) checkPlacement(placed, path, names, report, false);
    else if (placed.node !== undefined || placed.site !== undefined) report(path, 'give log, or node or site, not both');
    if (placed.log === undefined && placed['max.request.size'] !== undefined) report([...path, 'max.request.size'], 'max.request.size is a Kafka producer setting: it applies to a stream on a log service (`log:`), not to a node\'s stream');
  }
}

/** A stream on a log service is that service's topic of the same name, one partition per reading instance. */
function checkStreamLogs(pipeline: WrittenPipeline, services: NonNullable<Sections['services']>, report: Report): void {
  let sizes: Map<string, StreamEventSize> | undefined;
  const tooLarge: { stream: string; log: string; limit: number; size: StreamEventSize }[] = [];
  const tooLargeToSend: { stream: string; log: string; limit: number; size: StreamEventSize }[] = [];
  for (const [stream, placed] of Object.entries(pipeline.streams)) {
    if (placed.log === undefined) continue;
    const path: Path = ['pipeline', 'streams', stream, 'log'];
    const service = services[placed.log];
    const logs = Object.entries(services).filter(([, v]) => v.kind === 'log').map(([k]) => k);
    if (service === undefined || service.kind !== 'log') {
      report(path, `"${placed.log}" is not a log service${suggestion(placed.log, logs)}`);
      continue;
    }
    const reader = Object.values(pipeline.operators).find((op) => 'from' in op && op.from === stream);
    const partitions = reader?.parallelism ?? 1;
    const topic = service.topics?.[stream];
    if (topic === undefined) report(path, `service "${placed.log}" has no topic "${stream}": add \`topics: { ${stream}: { partitions: ${partitions} } }\``);
    else if (topic.partitions !== partitions) report(path, `topic "${stream}" of "${placed.log}" has ${topic.partitions} partitions; the stream needs ${partitions}, one per reading instance`);
    const size = (sizes ??= streamEventSizes(pipeline)).get(stream);
    const requestLimit = placed['max.request.size'] ?? MAX_REQUEST_SIZE_DEFAULT;
    // Kafka's producer compares the serialized size (the event with its batch and record overhead).
    if (size !== undefined && batchSizeInBytes(size.bytes, 1) > requestLimit) tooLargeToSend.push({ stream, log: placed.log, limit: requestLimit, size });
    if (topic === undefined) continue;
    const limit = topic['max.message.bytes'] ?? service['max.message.bytes'];
    // The leader compares the serialized size too (log/actors/leader.ts).
    if (limit !== undefined && size !== undefined && batchSizeInBytes(size.bytes, 1) > limit) tooLarge.push({ stream, log: placed.log, limit, size });
  }
  reportBySize(tooLargeToSend, report, (group) => {
    const { size, limit } = group[0]!;
    const streams = group.map((each) => `"${each.stream}"`).join(', ');
    const fields = group.map((each) => formatPath(['pipeline', 'streams', each.stream, 'max.request.size'])).join(', ');
    // Kept under exit.ts's 300 characters after the place, or the remedy at its end is cut.
    return `${formatSize(size.bytes)} events on stream ${streams}${overheadOf(size.bytes, limit)} exceed max.request.size ${formatSize(limit)}: they would fail unsent (RecordTooLargeException); raise ${fields} (and the topic's max.message.bytes), or shrink the events`;
  });
  reportBySize(tooLarge, report, (group) => {
    const { size, log, limit } = group[0]!;
    return `${formatSize(size.bytes)} events on stream ${group.map((each) => `"${each.stream}"`).join(', ')}${overheadOf(size.bytes, limit)} exceed max.message.bytes ${formatSize(limit)} of "${log}": each would be refused (MESSAGE_TOO_LARGE); raise it or shrink the events`;
  });
}

/** Only the overhead takes an event at or just under a limit past it: say so, or the message reads false. */
function overheadOf(eventBytes: number, limit: number): string {
  return eventBytes <= limit ? ` (+${formatSize(batchSizeInBytes(0, 1))} batch and record overhead)` : '';
}

/** One line per size set too large, naming every stream it reaches (a map passes its input's size on). */
function reportBySize<T extends { readonly size: StreamEventSize }>(found: readonly T[], report: Report, message: (group: readonly T[]) => string): void {
  for (const [i, each] of found.entries()) {
    const at = formatPath(each.size.path);
    if (found.findIndex((other) => formatPath(other.size.path) === at) !== i) continue;
    report(each.size.path, message(found.filter((other) => formatPath(other.size.path) === at)));
  }
}

function checkCheckpoint(c: WrittenCheckpoint, pipeline: WrittenPipeline, names: Names, report: Report): void {
  const needed: [string, Path][] = [];
  if (c.tier !== 'node-local' && c.strategy !== 'none') needed.push([c.tier, ['checkpoint', 'tier']]);
  if (c.strategy === 'multilevel') {
    if (c['flush-to'] === 'node-local') report(['checkpoint', 'flush-to'], 'multilevel flushes node-local checkpoints to a slower, safer tier: site-pfs, remote or log-topic');
    else needed.push([c['flush-to'], ['checkpoint', 'flush-to']]);
  }
  for (const [tier, path] of needed) {
    if (c.tiers[tier as keyof typeof c.tiers] !== undefined) continue;
    if (tier === 'log-topic') report(path, 'tier log-topic needs a compacted topic: add `tiers: { log-topic: { log: <log service>, topic: checkpoints } }`');
    else report(path, `tier ${tier} needs a store: add \`tiers: { ${tier}: { node: … } }\``);
  }
  for (const tier of ['node-local', 'site-pfs', 'remote'] as const) {
    const placed = c.tiers[tier];
    if (placed === undefined) continue;
    if (tier === 'node-local') report(['checkpoint', 'tiers', tier], 'node-local checkpoints live on each operator\'s own node; it takes no placement');
    else checkPlacement(placed, ['checkpoint', 'tiers', tier], names, report, true);
  }
  if (c['message-logging'] !== 'none' && c.strategy !== 'uncoordinated') {
    report(['checkpoint', 'message-logging'], `message logging is an option of strategy uncoordinated (independent checkpoints over direct channels), not of ${c.strategy}`);
  }
  if (c.coordinator !== undefined) checkPlacement(c.coordinator, ['checkpoint', 'coordinator'], names, report, false);
  if (c.strategy === 'barrier-snapshot' && c.alignment !== 'unaligned') {
    const operators = Object.entries(pipeline.operators).map(([name, op]) => ({ name, to: op.to, ...('from' in op ? { from: op.from } : {}) }));
    if (hasCycle({ operators })) {
      report(['checkpoint', 'alignment'], `${c.alignment} barriers on a cyclic pipeline would wait for each other forever; use alignment: unaligned (Chandy–Lamport)`);
    }
  }
}

/**
 * The actor ids a pipeline spawns for its operators (`<op>`, or `<op>-<i>` with parallelism), so
 * that fault targets can name them (process crashes of one operator instance).
 */
export function pipelineActorNames(pipeline: WrittenPipeline | undefined): string[] {
  if (pipeline === undefined) return [];
  return Object.entries(pipeline.operators).flatMap(([name, op]) =>
    Array.from({ length: op.parallelism }, (_, i) => instanceName({ name, parallelism: op.parallelism }, i)),
  );
}
