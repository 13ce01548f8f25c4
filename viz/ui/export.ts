/**
 * Export of the current view — every run's diagram and panels as drawn now — as a standalone SVG
 * (vector, for papers) or a PNG rendered from that SVG at twice the screen resolution (slides).
 *
 * Guarantee: the SVG carries its own styles and patterns, so it looks the same outside the page;
 * records are the same scene the canvas painted (see `draw/painter.ts`), not a screenshot.
 */
import type { Chart } from '../draw/chart.ts';
import { escapeHtml } from '../draw/format.ts';
import type { Panels } from '../panels/panels.ts';
import { PATTERN_DEFS } from '../wire/patterns.ts';

/** The view as one SVG: a heading, every run's diagram and panels, and the legend at the bottom. */
export function viewToSvg(parts: Array<{ chart: Chart; panels: Array<Pick<Panels, 'svg' | 'height'>> }>, heading: string, legend: (width: number) => { svg: string; height: number }): { svg: string; width: number; height: number } {
  const width = parts[0]?.chart.width ?? 800;
  const style = document.getElementById('viz-style')?.textContent ?? '';
  const serializer = new XMLSerializer();
  let y = 28;
  const body: string[] = [`<text x="8" y="18" font-size="14" font-weight="bold">${escapeHtml(heading)}</text>`];
  for (const { chart, panels } of parts) {
    body.push(chart.toSvg(y));
    y += chart.height + 20;
    for (const group of panels) {
      body.push(`<g transform="translate(0,${y})">${Array.from(group.svg.node()!.children).map((c) => serializer.serializeToString(c)).join('')}</g>`);
      y += group.height + 12;
    }
  }
  const key = legend(width);
  body.push(`<g class="legend" transform="translate(0,${y})">${key.svg}</g>`);
  y += key.height + 8;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="system-ui, sans-serif">
<style>${style.replace(/]]>/g, '')}</style>${PATTERN_DEFS}
<rect width="100%" height="100%" fill="#ffffff"/>
${body.join('\n')}
</svg>`;
  return { svg, width, height: y };
}

export async function svgToPng(svg: string, width: number, height: number, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d')!;
    ctx.scale(scale, scale);
    ctx.drawImage(image, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function download(blob: Blob, filename: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1_000);
}
