// The piscina worker for study cells when running from source (compiled, the pool loads
// dist's sweep-cell.js directly; see worker-entry.ts). Node 20 does not apply tsx's hooks to worker
// threads started with `--import tsx` in execArgv, so this plain-JS shim registers them itself and
// then loads the TypeScript cell runner; piscina calls its `runCell` export once per cell (and
// `buildCell` once per distinct scenario before a study runs).
import { register } from 'tsx/esm/api';

register();
export const { runCell, buildCell } = await import('./sweep-cell.ts');
