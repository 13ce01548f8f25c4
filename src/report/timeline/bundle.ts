/**
 * Turns the page's TypeScript modules (`viz/*.ts`) into one classic script to inline in the HTML:
 * each module is stripped of its types by TypeScript's `transpileModule` (no type checking — `tsc`
 * does that for the repository) and wrapped as a CommonJS-style function; a dozen lines of loader
 * run `app.ts`. No bundler to install, and no `import` that a page opened from disk could not load.
 *
 * Guarantee: only modules reachable from `app.ts` are included, each once. How it fails: an
 * import of anything but a sibling `./name.ts` module (a package, a folder) throws at build time,
 * since the page has nothing to load it from; d3 is a global of the page, imported for types only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VIZ_DIR = fileURLToPath(new URL('../../../viz/', import.meta.url));
const ENTRY = 'app.ts';

let bundle: Promise<string> | undefined;

/** The page script; built once per process (TypeScript takes about half a second to load). */
export function bundleViz(): Promise<string> {
  bundle ??= build().catch((error: unknown) => {
    bundle = undefined;
    throw error;
  });
  return bundle;
}

async function build(): Promise<string> {
  const ts = (await import('typescript')).default;
  const modules = new Map<string, string>();
  const visit = async (name: string): Promise<void> => {
    if (modules.has(name)) return;
    modules.set(name, '');
    const source = await readFile(join(VIZ_DIR, name), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: name,
      compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, removeComments: true, esModuleInterop: false },
    });
    modules.set(name, outputText);
    for (const match of outputText.matchAll(/\brequire\(("[^"]*")\)/g)) {
      const target = JSON.parse(match[1]) as string;
      const local = /^\.\/([\w.-]+\.ts)$/.exec(target);
      if (local === null) throw new Error(`viz/${name} imports "${target}"; the page can only load sibling modules (./name.ts)`);
      await visit(local[1]);
    }
  };
  await visit(ENTRY);
  const definitions = [...modules].map(([name, code]) => `${JSON.stringify(name)}: function (require, exports, module) {\n${code}\n}`);
  return `(function () {
"use strict";
var definitions = {
${definitions.join(',\n')}
};
var loaded = {};
function load(path) {
  var name = path.replace(/^\\.\\//, "");
  if (loaded[name]) return loaded[name].exports;
  var module = (loaded[name] = { exports: {} });
  definitions[name](load, module.exports, module);
  return module.exports;
}
load(${JSON.stringify(ENTRY)});
})();
`;
}
