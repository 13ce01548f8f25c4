/**
 * The fault kinds as a scenario file writes them: for each kind, how it names its targets and which
 * magnitude fields it takes, with their written key, resolved key, unit and documentation.
 *
 * Guarantee: this table is the single source for the zod schema of `faults:` and `nemesis:`
 * entries (`schema-faults.ts`), their resolution (`resolve-faults.ts`) and their rendering back to
 * YAML (`render-faults.ts`), so the three cannot drift: a magnitude field added here is parsed,
 * resolved and written back without further code.
 */
import type { FaultKind } from '../../faults/index.ts';

/**
 * How a kind names what it acts on:
 *  - `node`: `target`, one node name (node-crash).
 *  - `nodes`: `target` (a site, node or actor name, or a list of them) or `role` (every site of a role).
 *  - `actors`: like `nodes`, but a site or node stands for the processes on it.
 *  - `link`: `between`, the two sites of a link.
 *  - `groups`: `from`/`to`, or `among` with a `shape`, and a `direction` (partitions).
 *  - `none`: nothing (heal).
 */
export type TargetMode = 'node' | 'nodes' | 'actors' | 'link' | 'groups' | 'none';

/** How a magnitude is written: see schema-faults.ts for each one's parser. */
export type ParamUnit = 'duration' | 'signed-duration' | 'bandwidth' | 'probability' | 'factor' | 'boolean';

export interface ParamDef {
  /** The key in the scenario file. */
  readonly key: string;
  /** The key in the resolved fault (`FaultSpec`). */
  readonly field: string;
  readonly unit: ParamUnit;
  readonly describe: string;
  /** The written default; absent means required. */
  readonly default?: string | number | boolean;
  /** Only in a `faults:` schedule, not in a nemesis entry. */
  readonly scheduleOnly?: boolean;
}

export interface KindDef {
  readonly kind: FaultKind;
  readonly describe: string;
  readonly target: TargetMode;
  /** An instant has an `at` but no `for` (and no repair in a nemesis). */
  readonly instant?: boolean;
  readonly params: readonly ParamDef[];
}

const factor = (what: string): ParamDef => ({
  key: 'factor',
  field: 'factor',
  unit: 'factor',
  describe: `How many times ${what}, a number more than 1 (e.g. 10). Required.`,
});

export const FAULT_KIND_DEFS: readonly KindDef[] = [
  {
    kind: 'process-crash',
    target: 'actors',
    describe: 'process-crash: the processes (actors) die, keeping their node\'s page cache, and restart after `for`.',
    params: [],
  },
  {
    kind: 'node-crash',
    target: 'node',
    describe: 'node-crash: a node loses its memory and unsynced writes, and restarts after `for` (unless restart: false).',
    params: [
      {
        key: 'restart',
        field: 'restart',
        unit: 'boolean',
        default: true,
        scheduleOnly: true,
        describe: 'false: the node never comes back (then give no `for`). Default true.',
      },
    ],
  },
  {
    kind: 'power-loss',
    target: 'nodes',
    describe: 'power-loss: every targeted node (a whole site, say) loses power at the same instant, and regains it after `for`.',
    params: [],
  },
  {
    kind: 'torn-write',
    target: 'nodes',
    describe: 'torn-write: a power loss that leaves each file\'s first unsynced record torn (a detectable partial record).',
    params: [],
  },
  {
    kind: 'lose-unsynced',
    target: 'nodes',
    instant: true,
    describe: 'lose-unsynced: the disks drop their unsynced writes while the nodes stay up (instant; no `for`).',
    params: [],
  },
  { kind: 'disk-full', target: 'nodes', describe: 'disk-full: the disks refuse writes while the fault lasts.', params: [] },
  { kind: 'slow-disk', target: 'nodes', describe: 'slow-disk: every fsync takes `factor` times as long.', params: [factor('as long each fsync takes')] },
  {
    kind: 'slow-node',
    target: 'nodes',
    describe: 'slow-node: the nodes\' CPU slowdown factor (ctx.cpuSlowdown()) is `factor`, a grey failure.',
    params: [factor('slower the CPU runs')],
  },
  {
    kind: 'clock-skew',
    target: 'nodes',
    describe: 'clock-skew: the nodes\' local clocks (ctx.localTime()) run `offset` ahead (or behind, if negative).',
    params: [{ key: 'offset', field: 'offsetUs', unit: 'signed-duration', describe: 'How far the clock is off, a duration, negative for behind (e.g. 2s, -500ms). Required.' }],
  },
  {
    kind: 'partition',
    target: 'groups',
    describe: 'partition: messages between two groups of sites or nodes are dropped.',
    params: [],
  },
  {
    kind: 'heal',
    target: 'none',
    instant: true,
    describe: 'heal: ends every network fault active at `at` (partitions, flaps, link degradations); instant.',
    params: [],
  },
  {
    kind: 'link-flap',
    target: 'link',
    describe: 'link-flap: the link goes down for `down`, up for `up`, down again … while the fault lasts.',
    params: [
      { key: 'down', field: 'downUs', unit: 'duration', default: '1s', describe: 'How long each outage lasts, a duration. Default 1s.' },
      { key: 'up', field: 'upUs', unit: 'duration', default: '1s', describe: 'How long the link works between outages, a duration. Default 1s.' },
    ],
  },
  {
    kind: 'latency-spike',
    target: 'link',
    describe: 'latency-spike: the link\'s latency grows by `extra`.',
    params: [{ key: 'extra', field: 'extraUs', unit: 'duration', describe: 'Latency added to every message, a duration (e.g. 50ms). Required.' }],
  },
  {
    kind: 'jitter',
    target: 'link',
    describe: 'jitter: the link\'s jitter grows by `jitter`.',
    params: [{ key: 'jitter', field: 'jitterUs', unit: 'duration', describe: 'Extra jitter, a duration: each message is delayed by up to it more. Required.' }],
  },
  {
    kind: 'bandwidth-drop',
    target: 'link',
    describe: 'bandwidth-drop: the link\'s capacity drops to `bandwidth`.',
    params: [{ key: 'bandwidth', field: 'bandwidthBytesPerSec', unit: 'bandwidth', describe: 'The degraded capacity per direction (e.g. 100Mbps). Required.' }],
  },
  {
    kind: 'packet-loss',
    target: 'link',
    describe: 'packet-loss: the link loses each message with probability `loss` (on top of its own).',
    params: [{ key: 'loss', field: 'loss', unit: 'probability', describe: 'Probability that a message is lost, 0..1 or a percentage like 10%. Required.' }],
  },
  {
    kind: 'duplicate',
    target: 'link',
    describe: 'duplicate: the link delivers each message twice with probability `probability`.',
    params: [{ key: 'probability', field: 'probability', unit: 'probability', describe: 'Probability that a message arrives twice, 0..1 or a percentage. Required.' }],
  },
  {
    kind: 'reorder',
    target: 'link',
    describe: 'reorder: the link holds messages back with probability `probability`, so later ones overtake them.',
    params: [
      { key: 'probability', field: 'probability', unit: 'probability', describe: 'Probability that a message is held back, 0..1 or a percentage. Required.' },
      { key: 'delay', field: 'delayUs', unit: 'duration', default: '10ms', describe: 'The longest a held-back message waits, a duration. Default 10ms.' },
    ],
  },
];

export function kindDef(kind: FaultKind): KindDef {
  const def = FAULT_KIND_DEFS.find((d) => d.kind === kind);
  if (def === undefined) throw new Error(`no definition for fault kind ${kind}`);
  return def;
}
