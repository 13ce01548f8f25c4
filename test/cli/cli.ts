/** Runs the real `diaspora` command in a child process, as a user would. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/diaspora.mjs', import.meta.url));

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` is added to this process's environment for the child. */
export function diaspora(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return runCommand(process.execPath, [BIN, ...args], cwd, env);
}

/** Runs any command to its end, as `diaspora` runs the CLI: its exit code (-1 when killed by a signal) and output. */
export function runCommand(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, maxBuffer: 64 << 20, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}
