/**
 * A setting written under the name another system gives it (Kafka's broker-wide
 * `log.flush.interval.messages`, `message.max.bytes`) is answered with the field that means it here,
 * found in that field's description — from a file and from --set alike; a plain typo still gets
 * "did you mean".
 */
import test from 'ava';
import { loadScenario } from '../../src/scenario/index.ts';

const SCENARIO = (extra: string) => `
name: other-names
duration: 10s
sites:
  dc: { role: hpc, nodes: [k1, k2, k3] }
services:
  kafka:
    kind: log
    nodes: [k1, k2, k3]
${extra}    topics:
      t: { partitions: 1 }
`;

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

test('a Kafka name for a field is answered with the field that means it', (t) => {
  const file = messageOf(() => loadScenario(SCENARIO('    log.flush.interval.messages: 1\n    message.max.bytes: 2MiB\n'), 'k.yaml'));
  t.regex(file, /k\.yaml:10 .*unknown field "log\.flush\.interval\.messages"; here that is "flush": When brokers fsync/);
  t.regex(file, /unknown field "message\.max\.bytes"; here that is "max\.message\.bytes"/);
  const set = messageOf(() => loadScenario(SCENARIO(''), 'k.yaml', ['services.kafka["flush.ms"]=5s']));
  t.regex(set, /unknown field .*flush\.ms.*; here that is "flush"/);
  const typo = messageOf(() => loadScenario(SCENARIO('    replication.factr: 3\n'), 'k.yaml'));
  t.regex(typo, /did you mean "replication\.factor"\?/);
});
