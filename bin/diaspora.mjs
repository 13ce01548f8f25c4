#!/usr/bin/env node
// The `diaspora` command. The sources are TypeScript run through tsx's loader, so there is no
// build step between editing a protocol and running it.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
