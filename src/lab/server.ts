/**
 * `diaspora lab`'s server: node:http on the loopback address, serving the one lab page at `/` (and
 * `/index.html`); anything else is a 404. The simulation runs in the browser, not here.
 *
 * Guarantee: `close()` ends open connections and resolves when the server has stopped, so the
 * process has no handle left and exits. How it fails: a port in use, a privileged port, a host
 * that is no name or no address of this machine, or a name the name server did not answer for, is
 * an `InputError` naming the flag.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../kernel/contract/index.ts';

export interface LabServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveLab(page: string, options: { port: number; host: string }): Promise<LabServer> {
  const body = Buffer.from(page, 'utf8');
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split(/[?#]/)[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/' && path !== '/index.html') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the lab is at /\n');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenProblem(error, options) ?? error));
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Why the server cannot listen where the flags say, as the user can act on it; undefined for any other error. */
function listenProblem(error: NodeJS.ErrnoException, options: { port: number; host: string }): InputError | undefined {
  switch (error.code) {
    case 'EADDRINUSE':
      return new InputError(`--port ${options.port}: the port is in use; choose another (or 0 for any free port)`);
    case 'EACCES':
      return new InputError(`--port ${options.port}: listening there needs privileges (ports below 1024); choose one from 1024 (or 0 for any free port)`);
    case 'ENOTFOUND':
      return new InputError(`--host ${options.host}: no such host name or address; give an address of this machine like 127.0.0.1`);
    // A name server that did not answer (getaddrinfo's EAI_AGAIN): the name may well exist.
    case 'EAI_AGAIN':
      return new InputError(`--host ${options.host}: the name could not be looked up (no answer from the name server, EAI_AGAIN); try again, or give an address of this machine like 127.0.0.1`);
    case 'EADDRNOTAVAIL':
      return new InputError(`--host ${options.host}: not an address of this machine; give one of its own like 127.0.0.1 (0.0.0.0: every interface)`);
    default:
      return undefined;
  }
}
