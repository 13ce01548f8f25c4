/**
 * The world recipe of a `--kafka` emulation: the scenario's world plus one gateway actor per broker
 * (gateway.ts), placed on the node of the real clients. Every thread builds it, so the gateway
 * actors are in every copy of the deployment — a broker's reply to one is routed, not dropped as
 * sent to an unknown actor. They run no code in a node thread: the orchestrator takes what is sent
 * to them (Emulation.attach).
 */
import type { TraceWriter } from '../../../kernel/index.ts';
import { packageModule } from '../../../package-layout.ts';
import type { WorldRecipe } from '../../recipe.ts';
import type { PreparedRun } from '../../run.ts';
import { scenarioWorld, type ScenarioArgs } from '../../scenario-recipe.ts';
import type { Scenario } from '../../../scenario/index.ts';

export interface KafkaWorldArgs extends ScenarioArgs {
  gateways: { id: string; node: string }[];
}

export async function kafkaWorld(args: KafkaWorldArgs, trace: TraceWriter): Promise<PreparedRun> {
  const prepared = await scenarioWorld(args, trace);
  for (const gateway of args.gateways) prepared.world.spawn(gateway.id, gateway.node, () => ({}));
  return prepared;
}

export function kafkaRecipe(scenario: Scenario, seed: number, gateways: { id: string; node: string }[]): WorldRecipe {
  return { module: packageModule('src/exec/emulate/kafka/world.ts').href, export: 'kafkaWorld', args: { scenario, seed, gateways } satisfies KafkaWorldArgs };
}
