/**
 * `diaspora lab`'s server: node:http on the loopback address, serving the one lab page at `/` (and
 * `/index.html`); anything else is a 404. The simulation runs in the browser, not here.
 *
 * Guarantee: `close()` ends open connections and resolves when the server has stopped, so the
 * process has no handle left and exits. How it fails: a port in use is an `InputError` saying so.
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
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new InputError(`--port ${options.port}: the port is in use; choose another (or 0 for any free port)`) : error));
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
