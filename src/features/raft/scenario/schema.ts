/**
 * The `raft:` section: a replicated counter service on a Raft group (the teaching feature), with
 * KRaft's names for the timeouts and clearly named unsafe knobs for the drills.
 */
import * as z from 'zod';
import { count, positiveDuration, reference } from '../../../scenario/fields.ts';
import { describeInput } from '../../../scenario/units.ts';

/** KRaft's `.ms` settings: a duration ("1s"), or a bare number of milliseconds as Kafka writes them. Output: µs. */
function kraftMs(written: string) {
  return z
    .union([z.int().positive().transform((ms) => ms * 1000), positiveDuration()], {
      error: (issue) => (issue.input === undefined ? undefined : `expected a duration like "1s" or a number of milliseconds, got ${describeInput(issue.input)}`),
    })
    .prefault(written);
}

const clientSchema = z.strictObject({
  node: reference().describe('The node the client runs on (a node name). Required.'),
  every: positiveDuration().prefault('50ms').describe('Time between two commands (one at a time; a command still unanswered delays the next), a duration. Default 50ms.'),
  timeout: positiveDuration().prefault('1s').describe('A request unanswered this long is sent to the next node, a duration. Default 1s.'),
  keys: count(1).default(8).describe('How many counters the commands add to, an integer ≥ 1. Default 8.'),
});

export const raftSchema = z.strictObject({
  nodes: z.array(reference()).min(1).describe('The voters: one Raft node on each of these nodes (named raft-<node>). At least one; an odd number tolerates (n−1)/2 failures. Required.'),
  group: z.string().regex(/^[a-z][a-z0-9-]*$/).default('kv').describe('The Raft group\'s name, in its trace records and files. Default kv.'),
  client: clientSchema.optional().describe('A client adding to counters through the leader. Default none.'),
  'controller.quorum.election.timeout.ms': kraftMs('1000ms').describe('A node without a leader waits this long plus up to as long again at random before an election (a duration or ms). Default 1000.'),
  'controller.quorum.fetch.timeout.ms': kraftMs('2000ms').describe('A follower unanswered by its leader this long starts an election; a leader no majority fetched from this long resigns (a duration or ms). Default 2000.'),
  'snapshot.records': z.int().min(0).default(100).describe('Snapshot the state machine every this many applied entries; followers that are further behind catch up from the snapshot (KIP-630); 0: never. Default 100.'),
  'pre-vote': z.boolean().default(true).describe('Pre-vote (KIP-996): a node must win a pre-vote round before it bumps its term, so a rejoining node does not unseat a live leader. Default true.'),
  unsafe: z
    .strictObject({
      'commit-previous-term-by-count': z
        .boolean()
        .default(false)
        .describe("UNSAFE, for teaching (the Raft paper's Figure 8): the leader commits entries of earlier terms by counting replicas and appends no no-op; a committed entry can be overwritten. Default false."),
      'skip-vote-fsync': z
        .boolean()
        .default(false)
        .describe('UNSAFE, for teaching: term and vote are not fsynced before a vote is answered; a power loss makes a node forget its vote and vote twice in a term. Default false.'),
    })
    .prefault({})
    .describe('Knobs that break Raft on purpose, for the drills (`--set raft.unsafe.skip-vote-fsync=true`). Default: all off.'),
});

export type WrittenRaft = z.output<typeof raftSchema>;

declare module '../../../scenario/written-types.ts' {
  interface WrittenSections {
    raft: WrittenRaft;
  }
}
