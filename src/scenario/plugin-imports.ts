/**
 * Prepares this thread to import a scenario's plug-in modules when the package runs bundled
 * (dist/, see package-layout.ts). A plug-in may be TypeScript, and it imports the framework as
 * `diaspora-sim`, which the package's `exports` map to the TypeScript sources. So, once per thread,
 * this registers tsx and then a resolve hook (plugin-resolve.ts) that sends `diaspora-sim` to the
 * bundle's index entry, made of the same chunks as the command already running: the plug-in
 * shares this process's kernel, feature registry and error classes (an `InputError` it throws is
 * reported as bad input, not as a bug). From source there is nothing to do: the thread's
 * TypeScript loader is registered (tsx; in a test thread and the workers it starts, the tests'
 * hooks, which load only this checkout's files), and `diaspora-sim` is the source that runs.
 *
 * How it fails: if tsx cannot be loaded, this rejects and `loadPlugins` reports the plug-in as one
 * that cannot be loaded, with the reason.
 */
import { register } from 'node:module';
import { packageModule, RUNS_COMPILED } from '../package-layout.ts';

let prepared: Promise<void> | undefined;

export function preparePluginImports(): Promise<void> {
  prepared ??= prepare();
  return prepared;
}

async function prepare(): Promise<void> {
  if (RUNS_COMPILED) {
    const tsx = await import('tsx/esm/api');
    tsx.register();
  }
  // Hooks are asked last-registered first, so this one answers `diaspora-sim` before tsx would.
  // From source too: a plug-in outside this package (or beside another installed copy) must get
  // the copy that runs. The hook and the index are TypeScript there, loaded through tsx.
  register(packageModule('src/scenario/plugin-resolve.ts'), { data: { index: packageModule('src/index.ts').href } });
}
