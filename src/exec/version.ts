/** The package version, printed first by every command and stored in every summary. */
import { readFileSync } from 'node:fs';
import { besideSource } from '../package-layout.ts';

export const VERSION: string = (JSON.parse(readFileSync(besideSource('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
