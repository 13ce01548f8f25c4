/**
 * One emulated broker's TCP listener on 127.0.0.1: Kafka's size-prefixed frames in, responses out.
 *
 * Like a Kafka broker, it handles one request of a connection at a time and answers in order (a
 * broker mutes a connection while a request is in progress), so a response is never overtaken.
 * A request whose API or version is not in the table is answered UNSUPPORTED_VERSION at once
 * (never left hanging); a frame that does not parse closes the connection, as a broker does.
 *
 * Faults reach clients here: `down()` (the broker's node crashed or lost power) destroys every
 * connection and stops listening, so new connections are refused; `up()` listens again.
 *
 * Guarantee: a response's `sent` callback runs only if the response was handed to a live socket —
 * what a client may have been told is what the gateway records as acknowledged.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { decodeHeader, frameResponse, supported, unsupportedBody, type RequestHeader } from './apis.ts';
import { Reader } from './wire.ts';

/** A connection's identity, for records and messages. */
export interface Connection {
  readonly id: number;
  readonly remote: string;
}

export interface Response {
  body: Buffer;
  /** Runs once the response is written to a live socket. */
  sent?: () => void;
}

/** Answers one request: a response, or null when the request wants none (produce with acks=0). */
export type RequestHandler = (connection: Connection, header: RequestHeader, body: Reader) => Promise<Response | null>;

/** The largest request frame accepted (Kafka's socket.request.max.bytes default). */
const MAX_FRAME_BYTES = 100 * 1024 * 1024;

export class BrokerListener {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private connections = 0;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly handle: RequestHandler,
    private readonly onError: (message: string) => void,
  ) {}

  get listening(): boolean {
    return this.server !== undefined;
  }

  get open(): number {
    return this.sockets.size;
  }

  /** Starts accepting connections; rejects if the port is taken. */
  async up(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** Closes every connection and stops listening; returns how many connections were open. */
  down(): number {
    const open = this.sockets.size;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.server?.close();
    this.server = undefined;
    return open;
  }

  private accept(socket: Socket): void {
    const connection: Connection = { id: ++this.connections, remote: `${socket.remoteAddress}:${socket.remotePort}` };
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    const queue: Buffer[] = [];
    let busy = false;
    const drain = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      while (queue.length > 0 && !socket.destroyed) {
        const frame = queue.shift()!;
        try {
          await this.answer(socket, connection, frame);
        } catch (error) {
          this.onError(`broker port ${this.port}, connection ${connection.remote}: ${error instanceof Error ? error.message : String(error)}; closing it`);
          socket.destroy();
        }
      }
      busy = false;
    };
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (size < 0 || size > MAX_FRAME_BYTES) {
          this.onError(`broker port ${this.port}: a frame of ${size} bytes from ${connection.remote}; closing the connection`);
          socket.destroy();
          return;
        }
        if (pending.length < 4 + size) break;
        queue.push(pending.subarray(4, 4 + size));
        pending = pending.subarray(4 + size);
      }
      void drain();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async answer(socket: Socket, connection: Connection, frame: Buffer): Promise<void> {
    const reader = new Reader(frame);
    const header = decodeHeader(reader);
    const response: Response | null = supported(header.apiKey, header.apiVersion) ? await this.handle(connection, header, reader) : { body: unsupportedBody(header.apiKey) };
    if (response === null || socket.destroyed) return;
    socket.write(frameResponse(header.correlationId, response.body));
    response.sent?.();
  }
}

