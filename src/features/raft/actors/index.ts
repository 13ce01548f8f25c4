/**
 * The Raft feature's actor entry point: the engine other features host (`RaftNode`, its options
 * and state-machine interface, its messages), and the teaching feature's own actors.
 */
export { RaftNode, type ProposeResult, type RaftRole } from './raft-node.ts';
export type { RaftCallbacks, RaftOptions, StateMachine } from './config.ts';
export { isRaftMessage, type RaftEntry, type RaftMessage, type SnapshotId } from './messages.ts';
export { RaftServer, type ClientReply, type ClientRequest } from './server.ts';
export { RaftClient, type RaftClientConfig } from './client.ts';
export { CounterMachine, type KvCommand } from './kv-machine.ts';
