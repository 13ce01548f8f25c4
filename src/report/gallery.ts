/**
 * The gallery page (`diaspora gallery`): one card per shipped scenario and drill — its lesson (the
 * scenario file's header comment), a thumbnail, the command that runs it, and a link to the
 * timeline of its run written beside the page — plus the SVG sketch drawn as the thumbnail where
 * no browser can render the timeline itself.
 *
 * Guarantee: pure functions of the scenario texts and run summaries given, so the same runs give
 * the same page. How it fails: a summary missing a field draws the sketch without it (no faults,
 * an unknown verdict), never a broken page.
 */

export interface GalleryEntry {
  /** The scenario's name (its file name without `.yaml`). */
  name: string;
  /** The scenario file, relative to the package root as a user types it. */
  file: string;
  /** `scenario` or `drill`. */
  group: 'scenario' | 'drill';
  lesson: string;
  /** Paths relative to the page: the thumbnail image and the run's timeline; null when not written. */
  thumbnail: string | null;
  timeline: string | null;
  /** Whether every check passed; null when the run did not finish. */
  ok: boolean | null;
  /** Checks that failed, for the card. */
  failed: string[];
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface SketchSummary {
  simulatedTimeUs?: number;
  ok?: boolean;
  faults?: Array<{ kind?: string; atUs?: number; endUs?: number }>;
}

/**
 * A thumbnail without a browser: the run's time axis with its faults as bands (labelled by kind),
 * and the verdict — a sketch of what the timeline shows, from `summary.json` alone.
 */
export function sketchSvg(summary: SketchSummary, width = 480, height = 270): string {
  const end = Math.max(1, summary.simulatedTimeUs ?? 1);
  const left = 16;
  const plot = width - 2 * left;
  const x = (t: number) => left + (Math.min(Math.max(t, 0), end) / end) * plot;
  const faults = summary.faults ?? [];
  const row = Math.min(36, (height - 110) / Math.max(1, faults.length));
  const bands = faults.map((f, i) => {
    const from = x(f.atUs ?? 0);
    const to = Math.max(from + 2, x(f.endUs ?? end));
    const y = 60 + i * row;
    return `<rect x="${from.toFixed(1)}" y="${y}" width="${(to - from).toFixed(1)}" height="${row - 6}" fill="#e8a33d" opacity="0.55"/>` +
      `<text x="${(from + 4).toFixed(1)}" y="${y + Math.min(16, row - 9)}" font-size="12" fill="#5a3a00">${escapeHtml(f.kind ?? 'fault')}</text>`;
  }).join('');
  const verdict = summary.ok === undefined ? ['#777', 'not run'] : summary.ok ? ['#2a7a3a', 'every check passed'] : ['#b3261e', 'a check failed'];
  const seconds = end / 1e6;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">` +
    `<rect width="${width}" height="${height}" fill="#fafafa"/>` +
    `<text x="${left}" y="28" font-size="15" fill="${verdict[0]}">${verdict[1]}</text>` +
    `<text x="${width - left}" y="28" font-size="12" fill="#555" text-anchor="end">${faults.length === 0 ? 'no faults' : `${faults.length} fault${faults.length === 1 ? '' : 's'}`}</text>` +
    bands +
    `<line x1="${left}" x2="${width - left}" y1="${height - 36}" y2="${height - 36}" stroke="#333"/>` +
    `<text x="${left}" y="${height - 16}" font-size="12" fill="#333">0 s</text>` +
    `<text x="${width - left}" y="${height - 16}" font-size="12" fill="#333" text-anchor="end">${Number(seconds.toPrecision(3))} s simulated</text>` +
    `</svg>\n`;
}

/** The gallery page. */
export function galleryHtml(entries: readonly GalleryEntry[], title = 'diaspora-sim gallery'): string {
  const card = (e: GalleryEntry) => {
    const command = `npx diaspora run ${e.file} --viz`;
    const verdict = e.ok === null ? '<span class="verdict none">not run</span>'
      : e.ok ? '<span class="verdict pass">every check passed</span>'
      : `<span class="verdict fail">failed: ${escapeHtml(e.failed.join(', ') || 'a check')}</span>`;
    const image = e.thumbnail === null ? '<div class="thumb none">no thumbnail</div>' : `<img class="thumb" src="${escapeHtml(e.thumbnail)}" alt="Timeline of ${escapeHtml(e.name)}" width="480" height="270" loading="lazy">`;
    const picture = e.timeline === null ? image : `<a href="${escapeHtml(e.timeline)}" title="Open the timeline">${image}</a>`;
    const link = e.timeline === null ? '' : `<a class="open" href="${escapeHtml(e.timeline)}">Open the timeline →</a>`;
    return `<article class="card" id="${escapeHtml(e.name)}">
<h3>${escapeHtml(e.name)} ${verdict}</h3>
${picture}
<p class="lesson">${escapeHtml(e.lesson || 'No description in the scenario file.')}</p>
<pre><code>${escapeHtml(command)}</code></pre>
${link}
</article>`;
  };
  const section = (group: GalleryEntry['group'], heading: string, intro: string) => {
    const cards = entries.filter((e) => e.group === group);
    return cards.length === 0 ? '' : `<h2>${heading}</h2>\n<p class="intro">${intro}</p>\n<div class="cards">\n${cards.map(card).join('\n')}\n</div>`;
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="diaspora-sim gallery">
<title>${escapeHtml(title)}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1560px; padding: 0 16px; color: #222; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 28px 0 4px; }
.intro { color: #555; margin: 0 0 12px; max-width: 70em; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 18px; }
.card { border: 1px solid #ddd; border-radius: 8px; padding: 12px 14px; background: #fff; }
.card h3 { font-size: 16px; margin: 0 0 8px; font-family: ui-monospace, monospace; }
.thumb { display: block; width: 100%; height: auto; aspect-ratio: 16 / 9; border: 1px solid #eee; border-radius: 4px; object-fit: contain; background: #fff; }
.thumb.none { display: flex; align-items: center; justify-content: center; color: #888; background: #f4f4f4; }
.lesson { margin: 10px 0; }
pre { background: #f4f4f4; padding: 6px 8px; border-radius: 4px; overflow-x: auto; margin: 0 0 8px; font-size: 13px; }
.verdict { font: 12px system-ui, sans-serif; padding: 1px 6px; border-radius: 8px; margin-left: 6px; vertical-align: 2px; }
.verdict.pass { background: #e3f3e6; color: #1d5e2b; } .verdict.fail { background: #fbe4e2; color: #8c1d16; } .verdict.none { background: #eee; color: #555; }
.open { font-size: 14px; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="intro">Every scenario and drill shipped with diaspora-sim, run once with its own seed. Each card says what the run teaches, shows its timeline, and gives the command that runs it again; click the picture to open the interactive timeline.</p>
${section('drill', 'Drills', 'Small runs that each show one way a protocol loses, duplicates or recovers data — and the setting that prevents it.')}
${section('scenario', 'Scenarios', 'Larger facility workflows: beamlines, telescopes, federated learning, edge-to-HPC hierarchies.')}
</body>
</html>
`;
}
