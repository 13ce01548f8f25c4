/**
 * `consistent-cuts`: every global checkpoint, and every recovery line chosen from independent
 * checkpoints, is a consistent cut with complete channel state.
 *
 * For each channel p → q between two operators of a cut, p's snapshot counts the messages it had
 * sent on it (`outputs`) and q's counts those its image includes — processed, queued or recorded
 * as channel state (`inputs`). The counts are the channel's own sequence numbers, which the
 * receiver checks on every message.
 *  - `orphan`: q includes more than p sent — a message received inside the cut but sent outside
 *    it (what at-least-once barriers produce: it will be processed again after a restore).
 *  - `lost-in-transit`: p sent more than q includes — a message sent inside the cut that neither
 *    q's state nor its channel state holds, so a restore to this cut loses it.
 * Each violation cites both snapshots and the record that made the cut (its completion, or the
 * rollback that chose the line).
 *
 * Stats: `channels` counts the channels between two distinct operator instances of each cut —
 * Chandy–Lamport's channels, n(n − 1) for a complete graph of n. An instance whose output stream
 * routes back to itself (a complete graph's `from: pay, to: pay`) also has a channel to itself: its
 * items and markers do travel the transport (over loopback) and can be in flight at a cut, so it is
 * checked like any other, but it is no channel of the algorithm's process graph and is counted
 * apart, in `selfChannels` (accounts never send themselves a transfer: theirs carry markers only).
 * The channels are every one the trace's snapshots named so far between two instances of the cut
 * (cut-records.ts), so a recovery line through initial states — which carry no counters, 0 on each
 * channel — counts and checks its channels too (before, a line of initial states counted none, and
 * an orphan at a receiver whose sender went back to its start went unseen). How it breaks: a
 * channel no snapshot named before the cut is not known. Strategies over persistent streams take
 * no global cuts; the check then passes with `cuts: 0`.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { verdictOf, type CheckerDefinition, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';
import { CutCollector, type Cut } from './cut-records.ts';

export const consistentCuts: CheckerDefinition = {
  name: 'consistent-cuts',
  live: true,
  description: 'every global checkpoint and recovery line is a consistent cut with complete channel state',
  create: () => new ConsistentCuts(),
  vacuous: (stats) => (stats.cuts === 0 ? '0 cuts: no global checkpoint completed and no recovery line was chosen' : undefined),
};

class ConsistentCuts implements TraceChecker {
  readonly name = consistentCuts.name;
  readonly kinds = ['ckpt'] as const;
  private readonly violations: Violation[] = [];
  private readonly collector = new CutCollector((cut) => this.check(cut));
  private cuts = 0;
  private channels = 0;
  private selfChannels = 0;

  observe(record: TraceRecord): void {
    this.collector.observe(record);
  }

  verdict(): Verdict {
    const count = (anomaly: string) => this.violations.filter((v) => v.anomaly === anomaly).length;
    return verdictOf(this.violations, { cuts: this.cuts, channels: this.channels, selfChannels: this.selfChannels, orphans: count('orphan'), lostInTransit: count('lost-in-transit') });
  }

  private check(cut: Cut): void {
    this.cuts++;
    const byInstance = new Map(cut.snapshots.map((s) => [s.instance, s] as const));
    for (const link of cut.channels) {
      const sender = byInstance.get(link.sender)!;
      const receiver = byInstance.get(link.receiver)!;
      if (receiver === sender) this.selfChannels++;
      else this.channels++;
      // An initial state (a line to the start) carries no counters: 0 on every channel.
      const sent = sender.outputs[link.out] ?? 0;
      const included = receiver.inputs[link.in] ?? 0;
      if (included === sent) continue;
      const cites = [sender.cite, receiver.cite, cut.cite].filter((c) => c !== undefined);
      const orphan = included > sent;
      this.violations.push({
        anomaly: orphan ? 'orphan' : 'lost-in-transit',
        message: orphan
          ? `in ${cut.name}, ${receiver.instance} includes ${included} messages of channel ${link.out} but ${sender.instance} had sent only ${sent}: ${included - sent} received inside the cut were sent outside it`
          : `in ${cut.name}, ${sender.instance} had sent ${sent} messages on channel ${link.out} but ${receiver.instance} includes only ${included}: ${sent - included} in flight are in neither its state nor its channel state`,
        cites,
      });
    }
  }
}
