/**
 * The page's first script, placed right after the run payloads: starts decoding them (in Workers,
 * see `load.ts`) while the main thread goes on to parse d3 and the page script.
 */
import type { RunData } from '../wire/codec.ts';
import { startLoading } from './load.ts';

const loading = startLoading();
// Handled where the page awaits it; this keeps an early failure from being reported twice.
loading.catch(() => undefined);
(window as unknown as { diasporaLoading: Promise<RunData[]> }).diasporaLoading = loading;
