/**
 * A token ring with a lost-token detector, as a diaspora-sim plug-in: a scenario that says
 * `plugins: [./token-ring.ts]` may have a `ring:` section, name the checks `single-token` and
 * `token-progress`, and run through every command (run, check, replay, shrink, compare, sweep, viz,
 * --workers, emulate). Written against the public API only (`diaspora-sim`), in this folder only.
 *
 * The protocol (member.ts): members pass one token around the ring; the holder alone may act
 * (mutual exclusion). The first member, the monitor, makes a new token when it has not held one for
 * `detector`; tokens carry an epoch, so an old token that resurfaces is dropped where a newer one
 * has been seen.
 *
 * Guarantee: one token at a time (`single-token`) as long as the token always comes back to the
 * monitor within `detector` — every round (members × `hold`, plus the hops) is shorter than the
 * timeout; and after a crash loses the token, a new one reaches every member
 * (`token-progress`) within about `detector` plus a round.
 *
 * How it breaks, exactly:
 *  - `detector` shorter than a round (`--set ring.detector=30ms` on token-ring.yaml, a 4-member
 *    ring with `hold: 10ms`): the monitor makes a new token while the first is still going round,
 *    and two members hold a token at once — `single-token` fails, without any fault;
 *  - the network slower than the timeout assumes (token-ring-nemesis.yaml: a `latency-spike` of
 *    180ms between the sites): a token delayed by more than the timeout's margin over a round is
 *    replaced while it is still on its way, and reaches members the new token has not reached
 *    yet — the same duplicate, caused by a fault; no timeout tells a slow token from a lost one.
 *    (A token delayed much longer arrives behind its replacement, and the epochs drop it.)
 *  - `detector: off`: the crash of a member holding the token, or receiving it, loses the token
 *    for good — `token-progress` fails.
 */
import { defineFeature, fields, InputError, z, type Micros } from 'diaspora-sim';
import { RingMetric, singleToken, tokenProgress } from './checks.ts';
import { Member } from './member.ts';

const ringSchema = z.strictObject({
  members: z
    .array(fields.reference())
    .min(2)
    .describe('Nodes of the ring in the order the token travels (from the last back to the first). The first is the monitor, which runs the lost-token detector. At least two. Required.'),
  hold: fields.positiveDuration().prefault('10ms').describe('How long a member keeps the token before passing it on, a duration. Default 10ms.'),
  detector: z
    .union([z.literal('off'), fields.positiveDuration()], {
      error: (issue) => (issue.input === undefined ? undefined : `expected a duration like "200ms", or off; got ${JSON.stringify(issue.input)}`),
    })
    .prefault('500ms')
    .describe('The lost-token detector: the monitor makes a new token when it has not held one for this long (a duration), or off. Default 500ms.'),
});

type WrittenRing = z.output<typeof ringSchema>;

/** The resolved `ring:` section. */
export interface RingSpec {
  /** In ring order; the first is the monitor. */
  readonly members: readonly { readonly actor: string; readonly node: string }[];
  readonly holdUs: Micros;
  /** Absent: no detector. */
  readonly detectorUs?: Micros;
}

declare module 'diaspora-sim' {
  interface WrittenSections {
    ring: WrittenRing;
  }
  interface FeatureSections {
    readonly ring?: RingSpec;
  }
}

/** A member's actor name: `ring-<node>`. */
const actorOf = (node: string) => `ring-${node}`;

export default defineFeature({
  name: 'token-ring',
  description: 'A token ring with a lost-token detector (an example plug-in).',
  sections: {
    ring: ringSchema.optional().describe('A token ring (plug-in examples/token-ring): members pass one token around; the first regenerates it when it is lost. Optional.'),
  },
  checkers: [singleToken, tokenProgress],
  actorNames: (s) => (s.ring?.members ?? []).map(actorOf),
  crossCheck(s, names, report) {
    const taken = new Set([...Object.keys(s.services), ...Object.keys(s.workload)]);
    s.ring?.members.forEach((node, i) => {
      const path = ['ring', 'members', i];
      if (!names.nodes.has(node)) report(path, `unknown node "${node}"; the nodes are ${[...names.nodes.keys()].join(', ')}`);
      else if (s.ring!.members.indexOf(node) !== i) report(path, `node "${node}" is in the ring twice`);
      else if (taken.has(actorOf(node))) report(path, `its member would be named "${actorOf(node)}", which a service or producer already is`);
    });
  },
  resolve(s) {
    if (s.ring === undefined) return {};
    const { members, hold, detector } = s.ring;
    const ring: RingSpec = {
      members: members.map((node) => ({ actor: actorOf(node), node })),
      holdUs: hold,
      ...(detector === 'off' ? {} : { detectorUs: detector }),
    };
    return { ring };
  },
  build(world, scenario) {
    const ring = scenario.ring;
    if (ring === undefined) return [];
    ring.members.forEach(({ actor, node }, i) => {
      if (world.has(actor)) throw new InputError(`ring.members[${i}]: its member would be named "${actor}", which is taken`);
      const next = ring.members[(i + 1) % ring.members.length]!.actor;
      const config = { next, holdUs: ring.holdUs, monitor: i === 0, ...(ring.detectorUs === undefined ? {} : { detectorUs: ring.detectorUs }) };
      world.spawn(actor, node, () => new Member(config));
    });
    return [new RingMetric()];
  },
});
