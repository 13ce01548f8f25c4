/**
 * What an actor learns when a peer's process dies under a connection to it: a `Disconnect`, handed
 * to `Actor.onDisconnect` — the simulator's model of what a host's TCP stack tells a client.
 *
 * Every channel between actors is taken to be connection-oriented (TCP). When a process dies and
 * its host stays up, the host's kernel closes the process's sockets (FIN/RST to every peer of an
 * established connection) and answers anything arriving for it with an RST (connection refused),
 * so a client hears of the death about one network latency later instead of waiting for its own
 * timeouts. Two notifications model that:
 * - `closed`: the peer's process died while this actor had a connection to it — it sent to the
 *   peer since it (this incarnation) started and heard no `Disconnect` from it since. It arrives
 *   one one-way latency (from the peer's node to this one) after the crash.
 * - `refused`: a message of this actor arrived at the peer's host after the peer's process died;
 *   it arrives one one-way latency after that message would have been delivered.
 *
 * Guarantee: deterministic (its time is the crash or arrival time plus the link's latency, no random
 * draw; its event key is the dead peer's for `refused` and the notified actor's for `closed`, so it
 * is the same for 1, 2 or N worker threads); recorded as a `conn` record at the notified actor
 * (`peer`, `cause`, `msg` for a refusal) just before the handler runs. An actor without
 * `onDisconnect` gets nothing and no record: it behaves as before this existed (the only trace of a
 * refusal is the `drop` with cause `dead` at the dead peer, as before).
 *
 * Where it does not apply — silence, as before, and the client must rely on its timeouts: the peer's
 * whole node is down (power loss, node crash: no stack left to answer), the way back is cut (a
 * partition, in either direction for a refusal) or the notified actor has crashed since. Packet loss
 * does not drop the notification (TCP would resend until an RST came back). Limits: a `closed` may
 * overtake data the peer sent just before it died that is still on the wire (a large reply being
 * transmitted); a process on a node that rebooted does not reset connections made before the
 * reboot; emulation (real threads) does not produce these notifications.
 */

/** A connection to a peer broke because the peer's process died (see the header). */
export interface Disconnect {
  /** The peer whose process is gone. */
  readonly peer: string;
  /** `closed`: an established connection was closed by the peer's host; `refused`: a message was answered with an RST. */
  readonly cause: 'closed' | 'refused';
  /** For `refused`: the type of the message the host refused. */
  readonly msg?: string;
}
