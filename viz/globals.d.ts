/** d3 is inlined into the page as a classic script (its UMD build), so the page code sees a global. */
import type * as D3 from 'd3';

declare global {
  const d3: typeof D3;
}
