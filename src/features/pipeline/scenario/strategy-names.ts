/**
 * The names the literature gives the checkpoint strategies, and what each is called here — so a
 * reader who writes `strategy: chandy-lamport` from the paper is told `barrier-snapshot` with
 * `alignment: unaligned` instead of a bare list of names.
 *
 * Guarantee: a name is compared lower-cased with spaces, underscores and dashes of any kind as
 * `-`; only the names listed here get a hint, everything else is left to the enum's own message
 * (with its "did you mean" for a misspelling). How it fails: it never rejects a valid name.
 */
const HINTS: Readonly<Record<string, string>> = {
  'chandy-lamport': 'strategy: barrier-snapshot with alignment: unaligned (Chandy–Lamport markers; each process records its incoming channels until their markers arrive)',
  snapshot: 'strategy: barrier-snapshot (alignment: unaligned is Chandy–Lamport, aligned is Flink\'s asynchronous barrier snapshots)',
  abs: 'strategy: barrier-snapshot with alignment: aligned (asynchronous barrier snapshots, Carbone et al. 2015)',
  'asynchronous-barrier-snapshot': 'strategy: barrier-snapshot with alignment: aligned (Carbone et al. 2015)',
  flink: 'strategy: barrier-snapshot (alignment: aligned, Flink\'s exactly-once default; unaligned, its unaligned checkpoints)',
  independent: 'strategy: uncoordinated (independent checkpoints, no message log: recovery may domino back — Randell 1975)',
  randell: 'strategy: uncoordinated (independent checkpoints, no message log: the domino effect)',
  domino: 'strategy: uncoordinated (independent checkpoints, no message log: the domino effect)',
  'message-logging': 'strategy: uncoordinated with message-logging: pessimistic',
  'pessimistic-logging': 'strategy: uncoordinated with message-logging: pessimistic',
  'pessimistic-message-logging': 'strategy: uncoordinated with message-logging: pessimistic',
  blocking: 'strategy: coordinated (a global, blocking checkpoint: pause, flush channels, save, continue)',
  global: 'strategy: coordinated (a global, blocking checkpoint)',
  'stop-the-world': 'strategy: coordinated (a global, blocking checkpoint)',
  daly: 'strategy: coordinated with interval: adaptive (Daly\'s higher-order optimum from the measured checkpoint cost and mtbf:)',
  young: 'strategy: coordinated with interval: adaptive (Daly\'s higher-order optimum, which Young\'s √(2δM) approximates)',
  'upstream-backup': 'strategy: stream-replay (each operator checkpoints with its input offsets and replays its persistent input)',
  replay: 'strategy: stream-replay',
  scr: 'strategy: multilevel (frequent node-local checkpoints, every flush-every-th copied to flush-to, as SCR and VeloC do)',
  veloc: 'strategy: multilevel (frequent node-local checkpoints, every flush-every-th copied to flush-to, as SCR and VeloC do)',
};

/** What to write instead, for a strategy named as the literature names it; else undefined. */
export function strategyHint(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const key = input.trim().toLowerCase().replace(/[\s_\u2010-\u2015]+/g, '-');
  const hint = HINTS[key];
  return hint === undefined ? undefined : `${JSON.stringify(input)} is not a strategy name here; write ${hint}`;
}

