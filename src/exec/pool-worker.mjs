// The piscina worker for study cells. Node 20 does not apply tsx's hooks to worker threads started
// with `--import tsx` in execArgv, so this plain-JS shim registers them itself and then loads the
// TypeScript cell runner; piscina calls the default export once per cell.
import { register } from 'tsx/esm/api';

register();
const { runCell } = await import('./sweep-cell.ts');

export default runCell;
