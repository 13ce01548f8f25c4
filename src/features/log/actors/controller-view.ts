/**
 * A client's idea of which controller to ask (producer ids, group membership and offsets): with a
 * quorum, the active controller as last learned, as Kafka's clients find it — start with a member,
 * and on NOT_CONTROLLER go to the active controller the answer names, or else to the next member;
 * a request that goes unanswered moves on to the next member (the one asked may be down).
 *
 * Guarantee: with a single controller the target never changes, so a single-controller client sends
 * exactly what it would send without this view. A refused request is sent again only through
 * `onNotController`/`onRetry`, once per refusal.
 *
 * How it fails: while no member knows an active controller (an election is on, or no majority is
 * up) every answer is NOT_CONTROLLER without a name; the client cycles through the members, one
 * per retry backoff, until one names the winner. The backoff is the client's: a consumer's grows
 * with each refusal in a row (KIP-580, as Kafka's coordinator lookup), a producer's InitProducerId
 * retries wait `retry.backoff.ms` each (Kafka's TransactionManager).
 */
import type { Context, Micros, Wakeup } from '../../../kernel/contract/index.ts';
import type { ClientToController, NotControllerReply } from './messages.ts';

/** The timer a client routes to `onRetry`. */
export const CONTROLLER_RETRY = 'controller-retry';

export class ControllerView {
  private current: string;

  /** `members`: the quorum's actor ids (one for a single controller), the first asked first. */
  constructor(private readonly members: readonly string[]) {
    this.current = members[0]!;
  }

  /** The controller to send the next request to. */
  get target(): string {
    return this.current;
  }

  send(ctx: Context, request: ClientToController): void {
    ctx.send(this.current, request);
  }

  /**
   * A NOT_CONTROLLER answer to a request the client still wants answered: sends it again at once to
   * the active controller the answer names, or after the client's backoff (asked only then) to the next member.
   */
  onNotController(ctx: Context, reply: NotControllerReply, from: string, backoffUs: () => Micros): void {
    if (this.redirect(from, reply.controller)) this.send(ctx, reply.request);
    else ctx.setTimer(backoffUs(), CONTROLLER_RETRY, reply.request);
  }

  /** The retry timer of `onNotController` fired: the request goes to the current target. */
  onRetry(ctx: Context, wakeup: Wakeup): void {
    this.send(ctx, wakeup.data as ClientToController);
  }

  /**
   * NOT_CONTROLLER from `from`, naming the active controller if it knows it: true when it named
   * one (send again at once); false when it did not (the caller waits its retry backoff), the
   * target then being the member after `from`.
   */
  private redirect(from: string, active: string | undefined): boolean {
    if (active !== undefined && active !== from) {
      this.current = active;
      return true;
    }
    this.current = this.after(from);
    return false;
  }

  /** A request to the target got no answer in time: the next request goes to the next member. */
  unanswered(): void {
    this.current = this.after(this.current);
  }

  private after(member: string): string {
    const at = this.members.indexOf(member);
    return this.members[(at + 1) % this.members.length]!;
  }
}
