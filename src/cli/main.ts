/**
 * The `diaspora` command line: parse, call `exec`/`report`, print (entry.ts). Kept thin on
 * purpose — every command's work lives in a layer below, reachable from the programmatic API too.
 */
import { hideBin } from 'yargs/helpers';
import { diaspora } from './entry.ts';
import { tuneV8 } from './v8-tuning.ts';

// A reader that stops early (`| head`) is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

tuneV8();
await diaspora(hideBin(process.argv));
