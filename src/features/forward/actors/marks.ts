/**
 * A few marked numbers, as an array searched from the front: a lane's plans a sink sent and has not
 * heard back about, the plans a pipeline's log transport saw acknowledged behind an unacknowledged
 * one (sequence numbers), the lanes of a produce request in flight that backed off since.
 *
 * Why not a `Set`: a lane has at most `IDEMPOTENCE_WINDOW` (5) plans out, and a `Set` whose one to
 * five entries come and go with every plan rebuilds (shrinks, then grows) its hash table every few
 * plans, through a runtime call — the sink's `delete` alone was ≈ 1 % of an aps-xray hour's profile
 * (session 13); and a request's backed-off lanes are almost always none, for which a `Set` allocates
 * its table all the same. Cost is linear in the marks: an owner with hundreds at once would pay for it.
 *
 * Guarantee: the `Set` operations' answers (`has`, `add`, `delete`'s boolean, `clear`); no order is
 * promised, and none is read.
 */
export class Marks {
  private readonly marked: number[] = [];

  has(n: number): boolean {
    return this.marked.includes(n);
  }

  add(n: number): void {
    if (!this.marked.includes(n)) this.marked.push(n);
  }

  /** Unmarks `n`; false if it was not marked. */
  delete(n: number): boolean {
    const marked = this.marked;
    const i = marked.indexOf(n);
    if (i < 0) return false;
    // The last mark moves into the hole: `pop`, not a store to `length` (a runtime call in V8).
    marked[i] = marked[marked.length - 1]!;
    marked.pop();
    return true;
  }

  clear(): void {
    while (this.marked.length > 0) this.marked.pop();
  }
}
