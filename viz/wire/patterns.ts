/**
 * The SVG patterns the page's marks fill with. They are defined once in the page (the writer in
 * `src/report/timeline/page.ts` inlines them into the template) and again in every exported figure,
 * so a mark that refers to one by its `url(#…)` looks the same in both.
 *
 * How it fails: a mark whose fill names a pattern that is not defined here is drawn unfilled.
 */

/** Down periods of crashed actors: grey diagonal hatching. */
export const DOWN_HATCH = 'url(#down-hatch)';

export const PATTERN_DEFS = `<defs>
<pattern id="down-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eeeeee"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9a9a9a" stroke-width="2"/></pattern>
</defs>`;
