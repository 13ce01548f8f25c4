// A kafkajs consumer-group member in a process of its own, so that a test can kill it (SIGKILL:
// no LeaveGroup, its session just goes silent). Prints "assigned <partitions>" after each join.
import { Kafka, logLevel } from 'kafkajs';

const [broker, group, topic] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'member-a', brokers: [broker], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: group, sessionTimeout: 3000, heartbeatInterval: 300, rebalanceTimeout: 3000, maxWaitTimeInMs: 200 });
consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => console.log(`assigned ${(payload.memberAssignment[topic] ?? []).join(',')}`));
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({ eachMessage: async () => {} });
