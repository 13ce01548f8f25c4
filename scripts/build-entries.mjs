// What scripts/build.mjs bundles and what it leaves outside, apart from the build itself so that
// test/cli/bundle.test.ts reads the lists without starting a build (the
// build script then runs whenever it is started, by whatever path — a symlinked checkout too).

/** The modules run by path: the command, and every module `packageModule` names (test/cli/bundle.test.ts). */
export const ENTRIES = [
  'src/cli/main.ts',
  'src/index.ts',
  'src/scenario/plugin-resolve.ts',
  'src/exec/scenario-recipe.ts',
  'src/exec/emulate/kafka/world.ts',
  'src/exec/parallel/partition-worker.ts',
  'src/exec/emulate/node-worker.ts',
  'src/exec/sweep-cell.ts',
];

/** Imported from node_modules as installed, never bundled (see scripts/build.mjs). */
export const EXTERNAL = ['tsx', 'tsx/*', 'esbuild', 'piscina', 'playwright-core'];
