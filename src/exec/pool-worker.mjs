// The piscina worker for study cells when running from source (compiled, the pool loads
// dist's sweep-cell.js directly; see worker-entry.ts). It installs the TypeScript loader
// (source-hooks.mjs) and then loads the TypeScript cell runner; piscina calls its `runCell` export
// once per cell (and `buildCell` once per distinct scenario before a study runs).
import './source-hooks.mjs';

export const { runCell, buildCell } = await import('./sweep-cell.ts');
