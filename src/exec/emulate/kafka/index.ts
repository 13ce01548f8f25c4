/**
 * `diaspora emulate --kafka`: a scenario's log service served to real Kafka clients. Each broker
 * of the service listens on 127.0.0.1 (port, port+1, …); the scenario's own producers and
 * consumers of that service step aside (unless kept) so the real clients take their place; the
 * scenario's faults act on the clients' connections (a broker whose node is down refuses them, and
 * partitions and latency act through the gateway actors, which sit on the clients' node); every
 * fault, crash, restart, refused connection and rebalance is told through `say` as it happens.
 * Produces are accepted during the safety phase (`duration`) only, as the scenario's own producers
 * stop then: the final read follows, and a write acknowledged after it could not be judged.
 *
 * How it fails: a scenario without a log service, an unknown `clientNode`, or a port already in
 * use is an `InputError` naming it; the listeners are closed whichever way the run ends.
 */
import { formatMicros, InputError } from '../../../kernel/index.ts';
import type { Scenario } from '../../../scenario/index.ts';
import { brokerIds, controllerIds, type LogServiceSpec } from '../../../features/log/index.ts';
import { Emulation, type EmulateOptions, type EmulationEvent, type EmulationResult } from '../emulation.ts';
import { KafkaGateway, type KafkaService } from './gateway.ts';
import { BrokerListener } from './server.ts';
import { kafkaRecipe } from './world.ts';

export const DEFAULT_KAFKA_PORT = 9092;
const HOST = '127.0.0.1';
/** How often silent group members and overdue rebalances are looked for, real ms. */
const GROUP_TICK_MS = 100;

export interface KafkaEmulationOptions extends Omit<EmulateOptions, 'onEvent'> {
  /** The first broker's port; broker i listens on port + i - 1. */
  port: number;
  /** Which log service to serve (default the scenario's first). */
  service?: string;
  /** The node the real clients are taken to run on (default the first producer's of the service, else the first node without a broker). */
  clientNode?: string;
  /** Keep the scenario's own producers and consumers of the service running beside the real clients. */
  keepWorkload?: boolean;
  say: (line: string) => void;
}

export interface KafkaEmulation {
  readonly emulation: Emulation;
  /** `host:port` of each broker, in broker order. */
  readonly brokers: readonly string[];
  readonly clientNode: string;
  readonly service: string;
  /** Resolves with the run's result once the emulation ended and the listeners are closed. */
  readonly done: Promise<EmulationResult>;
}

/** Starts the emulation with the service's brokers listening for Kafka clients. */
export async function startKafkaEmulation(scenario: Scenario, seed: number, options: KafkaEmulationOptions): Promise<KafkaEmulation> {
  const logs = scenario.services.filter((s): s is LogServiceSpec => s.kind === 'log');
  const spec = options.service === undefined ? logs[0] : logs.find((s) => s.name === options.service);
  if (spec === undefined) throw new InputError(options.service === undefined ? '--kafka: the scenario has no log service (services.<name>.kind: log)' : `--kafka-service: no log service named ${options.service} (log services: ${logs.map((s) => s.name).join(', ') || 'none'})`);
  const brokers = brokerIds(spec.name, spec.brokerNodes.length);
  const nodeOf = new Map(brokers.map((b, i) => [b, spec.brokerNodes[i]!] as const));
  const clientNode = options.clientNode ?? defaultClientNode(scenario, spec);
  if (!scenario.nodes.some((n) => n.name === clientNode)) throw new InputError(`--kafka-client-node: no node named ${clientNode}`);
  const gateways = brokers.map((_, i) => `${spec.name}-kafka-${i + 1}`);
  const run = options.keepWorkload ? scenario : withoutClientsOf(scenario, spec.name);
  const controllers = controllerIds(spec.name, spec.controllerNodes.length);
  const service: KafkaService = { brokers, controller: controllers[0]!, controllers, nodeOf, topics: spec.topics };
  const say = options.say;

  let onEvent: (event: EmulationEvent) => void = () => {};
  const emulation = await Emulation.start(kafkaRecipe(run, seed, gateways.map((id) => ({ id, node: clientNode }))), { ...options, local: gateways, onEvent: (event) => onEvent(event) });
  const gateway = new KafkaGateway(emulation, { service, gateways, host: HOST, basePort: options.port, produceUntilUs: scenario.durationUs, usPerMs: 1000 * (options.speed ?? 1), say });
  emulation.attach(gateway);
  const listeners = brokers.map((_, i) => new BrokerListener(HOST, options.port + i, gateway.handler(i), say));
  const tick = setInterval(() => gateway.groups.tick(), GROUP_TICK_MS);
  const closeAll = () => {
    clearInterval(tick);
    for (const listener of listeners) listener.down();
    gateway.close();
  };
  try {
    await Promise.all(listeners.map((l) => l.up()));
  } catch (error) {
    closeAll();
    emulation.abort('a Kafka port is taken');
    await emulation.done.catch(() => {});
    throw new InputError(`--kafka: cannot listen on ${HOST}:${options.port}…${options.port + brokers.length - 1}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const at = (us: number) => `[${formatMicros(us)}]`;
  onEvent = (event) => {
    if (event.kind === 'fault') {
      const { fault, kind, phase } = event.record as { fault?: unknown; kind?: unknown; phase?: unknown };
      say(`${at(event.atUs)} fault ${String(fault)} (${String(kind)}) ${String(phase ?? '')}`.trimEnd());
      return;
    }
    brokers.forEach((broker, i) => {
      if (nodeOf.get(broker) !== event.node) return;
      const listener = listeners[i]!;
      if (event.kind === 'crash') {
        const closed = listener.down();
        say(`${at(event.atUs)} ${broker} down (${event.reason}): port ${listener.port} closed ${closed} client connection(s) and refuses new ones`);
      } else {
        void listener.up().then(
          () => say(`${at(event.atUs)} ${broker} back (${event.reason}): port ${listener.port} accepting clients`),
          (error: unknown) => emulation.abort(`port ${listener.port} could not listen again: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
    });
  };
  say(`Kafka: ${brokers.map((b, i) => `${b} on ${HOST}:${options.port + i}`).join(', ')}; clients are taken to be on node ${clientNode}${options.keepWorkload ? '' : ` (the scenario's own clients of ${spec.name} are not run)`}`);
  const done = emulation.done.finally(closeAll);
  return { emulation, brokers: listeners.map((l) => `${HOST}:${l.port}`), clientNode, service: spec.name, done };
}

/** The first producer's node of the service, else the first node that hosts no broker, else the first broker's. */
function defaultClientNode(scenario: Scenario, spec: LogServiceSpec): string {
  const producer = scenario.workload.find((p) => p.service === spec.name);
  if (producer !== undefined) return producer.node;
  return scenario.nodes.find((n) => !spec.brokerNodes.includes(n.name) && n.name !== spec.controllerNode)?.name ?? spec.brokerNodes[0]!;
}

/** The scenario without its own producers and consumer groups of `service`: the real clients take their place. */
function withoutClientsOf(scenario: Scenario, service: string): Scenario {
  const consumers = scenario.consumers;
  return {
    ...scenario,
    workload: scenario.workload.filter((p) => p.service !== service),
    ...(consumers === undefined ? {} : { consumers: consumers.filter((c) => c.service !== service) }),
  };
}
