/**
 * The lab server's refusals of a `--host` whose name lookup fails, through the lookup Node's
 * `listen` makes (node:dns `lookup`, replaced here by one that fails as getaddrinfo does): a name
 * that does not exist, and one the name server did not answer for, are each one line naming the
 * flag, an input error (exit 2), and say different things.
 */
import test from 'ava';
import dns from 'node:dns';
import { InputError } from '../../src/kernel/contract/index.ts';
import { serveLab } from '../../src/lab/server.ts';

/** serveLab with every name lookup failing with `code`; what it rejects with. */
async function refusal(code: string): Promise<unknown> {
  const lookup = dns.lookup;
  (dns as { lookup: unknown }).lookup = (hostname: string, _options: unknown, callback?: (error: NodeJS.ErrnoException) => void) => {
    const done = (callback ?? _options) as (error: NodeJS.ErrnoException) => void;
    process.nextTick(() => done(Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code, syscall: 'getaddrinfo', hostname })));
  };
  try {
    const server = await serveLab('<p>lab</p>', { port: 0, host: 'lab.example' });
    await server.close();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    (dns as { lookup: unknown }).lookup = lookup;
  }
}

test.serial('a host name the name server did not answer for (EAI_AGAIN) is an input error saying so, not "no such host"', async (t) => {
  const error = await refusal('EAI_AGAIN');
  t.true(error instanceof InputError);
  t.is((error as Error).message, '--host lab.example: the name could not be looked up (no answer from the name server, EAI_AGAIN); try again, or give an address of this machine like 127.0.0.1');
});

test.serial('a host name that does not exist (ENOTFOUND) is an input error naming the flag', async (t) => {
  const error = await refusal('ENOTFOUND');
  t.true(error instanceof InputError);
  t.is((error as Error).message, '--host lab.example: no such host name or address; give an address of this machine like 127.0.0.1');
});
