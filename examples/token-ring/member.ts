/**
 * One member of a token ring. The member holding the token may act alone (the token is a mutual
 * exclusion lock); it keeps it for `holdUs`, then passes it to the next member of the ring.
 *
 * The first member is also the ring's monitor and runs the lost-token detector: when it has not
 * held the token for `detectorUs`, it presumes the token lost and makes a new one. Every token
 * carries an epoch; the monitor makes each new token with a higher epoch, written to its disk and
 * fsynced before the token leaves (so a restarted monitor never reuses an epoch), and a member
 * drops a token older than the newest it has seen, so an old token that resurfaces dies out.
 *
 * Trace records (`state`, field `op`): `ring-member` at start (with `next`), `token-create`,
 * `token-acquire`, `token-release` (with `to`) and `token-drop` (a stale token discarded), each
 * with the token's `epoch`. The checkers and the metric of checks.ts read only these.
 */
import type { Actor, Context, Message, Micros, Wakeup } from 'diaspora-sim';

export interface Token extends Message {
  readonly type: 'token';
  readonly epoch: number;
}

export interface MemberConfig {
  /** The actor the token goes to next. */
  readonly next: string;
  readonly holdUs: Micros;
  /** Whether this member is the monitor (the first of the ring): it makes the first token. */
  readonly monitor: boolean;
  /** The monitor's lost-token timeout; undefined: no detector, a lost token stays lost. */
  readonly detectorUs?: Micros;
}

const EPOCH_FILE = 'epoch';

export class Member implements Actor<Token> {
  /** The newest epoch this member has seen (forgotten by a crash, except the monitor's on disk). */
  private newest = 0;
  /** The epoch of the token held, if any. */
  private held: number | undefined;
  private detector: number | undefined;

  constructor(private readonly config: MemberConfig) {}

  start(ctx: Context): void {
    ctx.record('state', { op: 'ring-member', next: this.config.next, monitor: this.config.monitor });
    if (this.config.monitor) this.createToken(ctx);
  }

  recover(ctx: Context): void {
    if (!this.config.monitor) return;
    const saved = ctx.disk.get(EPOCH_FILE);
    this.newest = typeof saved === 'number' ? saved : 0;
    this.armDetector(ctx);
  }

  onMessage(ctx: Context, token: Token): void {
    this.take(ctx, token.epoch);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    switch (wakeup.name) {
      case 'release': {
        const epoch = this.held!;
        this.held = undefined;
        ctx.record('state', { op: 'token-release', epoch, to: this.config.next });
        ctx.send<Token>(this.config.next, { type: 'token', epoch });
        return;
      }
      case 'lost':
        this.detector = undefined;
        this.createToken(ctx);
        return;
      case 'epoch-durable':
        // Only now may the token exist: a crash before this point loses an epoch, never reuses one.
        ctx.record('state', { op: 'token-create', epoch: wakeup.data });
        this.take(ctx, wakeup.data as number);
        return;
    }
  }

  private createToken(ctx: Context): void {
    const epoch = this.newest + 1;
    // A full disk cannot make the epoch durable: try again after another timeout.
    if (!ctx.disk.put(EPOCH_FILE, epoch, 8)) return this.armDetector(ctx);
    this.newest = epoch;
    ctx.disk.fsync({ name: 'epoch-durable', data: epoch });
  }

  /** A token arrives (or is made): held, unless an equal or newer one has been seen. */
  private take(ctx: Context, epoch: number): void {
    if (epoch < this.newest || (this.held !== undefined && epoch <= this.held)) {
      ctx.record('state', { op: 'token-drop', epoch, newest: Math.max(this.newest, this.held ?? 0) });
      return;
    }
    this.newest = epoch;
    if (this.held !== undefined) {
      // Two tokens met here: the newer one goes on, on the older one's schedule.
      ctx.record('state', { op: 'token-drop', epoch: this.held, newest: epoch });
      this.held = epoch;
      return;
    }
    this.held = epoch;
    ctx.record('state', { op: 'token-acquire', epoch });
    ctx.setTimer(this.config.holdUs, 'release');
    if (this.config.monitor) this.armDetector(ctx);
  }

  /** The monitor starts the timeout again whenever it holds the token. */
  private armDetector(ctx: Context): void {
    if (this.config.detectorUs === undefined) return;
    if (this.detector !== undefined) ctx.cancelTimer(this.detector);
    this.detector = ctx.setTimer(this.config.detectorUs, 'lost');
  }
}
