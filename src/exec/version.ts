/** The package version, printed first by every command and stored in every summary. */
import { readFileSync } from 'node:fs';
import { packageFile } from '../package-layout.ts';

export const VERSION: string = (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
