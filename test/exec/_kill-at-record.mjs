/**
 * A deterministic kill point for the sweep interruption tests, preloaded into a real `diaspora
 * sweep` child (`node --import <this> bin/diaspora.mjs sweep …`): when the main thread appends the
 * KILL_AT_RECORD-th line to a results.jsonl, the process sends itself KILL_SIGNAL (SIGKILL, SIGINT
 * or SIGTERM) right after that write — or, with KILL_TORN=1, after writing only the first half of
 * the line, as a power loss or kill -9 in the middle of the write would leave it. With
 * KILL_AT_RENAME=<file name>, it sends itself SIGKILL instead when about to rename its temporary
 * file onto that name (every cell done, that report written but not in place).
 *
 * How: `node:fs`'s writeSync is wrapped and the ES module bindings re-synced
 * (syncBuiltinESMExports), so the sweep's own `import { writeSync } from 'node:fs'` calls it. The
 * count is of result lines only (they start with `{"sweep":`), never of time: the same arguments
 * stop at the same record on any machine.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const at = Number(process.env.KILL_AT_RECORD);
const signal = process.env.KILL_SIGNAL ?? 'SIGKILL';
const torn = process.env.KILL_TORN === '1';

if (isMainThread && Number.isSafeInteger(at) && at > 0) {
  const writeSync = fs.writeSync;
  let records = 0;
  fs.writeSync = function (fd, data, ...rest) {
    if (typeof data !== 'string' || !data.startsWith('{"sweep":')) return writeSync.call(this, fd, data, ...rest);
    records++;
    if (records !== at) return writeSync.call(this, fd, data, ...rest);
    if (torn) {
      writeSync.call(this, fd, data.slice(0, Math.floor(data.length / 2)));
      die('SIGKILL');
    }
    const written = writeSync.call(this, fd, data, ...rest);
    if (signal === 'SIGKILL') die(signal);
    else process.kill(process.pid, signal);
    return written;
  };
  syncBuiltinESMExports();
}

const renamed = process.env.KILL_AT_RENAME;
if (isMainThread && renamed !== undefined) {
  const renameSync = fs.renameSync;
  fs.renameSync = function (from, to) {
    if (String(to).endsWith(`/${renamed}`)) die('SIGKILL');
    return renameSync.call(this, from, to);
  };
  syncBuiltinESMExports();
}

/** SIGKILL to itself, and nothing more from this thread until it lands. */
function die(sig) {
  process.kill(process.pid, sig);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}
