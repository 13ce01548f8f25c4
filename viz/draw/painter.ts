/**
 * A scene is a list of batches of identical primitives (same shape, colour, opacity, line style);
 * it is painted onto a canvas for the screen, or written as SVG for export — one drawing, two
 * outputs, so an exported figure shows exactly what was on screen.
 *
 * Batching is what keeps tens of thousands of arrows fast: one canvas path per batch.
 */

export type Shape = 'line' | 'dashed' | 'arrowhead' | 'rect' | 'dot' | 'ring' | 'square' | 'diamond' | 'triangle' | 'cross' | 'plus' | 'vbar';

/** Coordinates per primitive: lines and arrowheads x1 y1 x2 y2, rects x y w h, glyphs x y. */
const STRIDE: Record<Shape, number> = { line: 4, dashed: 4, arrowhead: 4, rect: 4, dot: 2, ring: 2, square: 2, diamond: 2, triangle: 2, cross: 2, plus: 2, vbar: 2 };

export interface Batch {
  shape: Shape;
  color: string;
  alpha: number;
  /** Line width, or glyph radius. */
  size: number;
  coords: number[];
}

const SHAPE_CODE: Record<Shape, number> = { line: 0, dashed: 1, arrowhead: 2, rect: 3, dot: 4, ring: 5, square: 6, diamond: 7, triangle: 8, cross: 9, plus: 10, vbar: 11 };

export class Scene {
  readonly batches: Batch[] = [];
  /** Per colour, per (shape, alpha, size) code: the batch. Numeric codes keep `batch()` cheap in hot loops. */
  private readonly index = new Map<string, Map<number, Batch>>();

  /** The batch for this style, created on first use; push coordinates onto its `coords`. */
  batch(shape: Shape, color: string, alpha = 1, size = 1): number[] {
    let byStyle = this.index.get(color);
    if (byStyle === undefined) {
      byStyle = new Map();
      this.index.set(color, byStyle);
    }
    const code = SHAPE_CODE[shape] + 16 * (Math.round(alpha * 1000) + 1001 * Math.round(size * 4));
    let batch = byStyle.get(code);
    if (batch === undefined) {
      batch = { shape, color, alpha, size, coords: [] };
      byStyle.set(code, batch);
      this.batches.push(batch);
    }
    return batch.coords;
  }
}

const ARROW = 5;

export function paintCanvas(ctx: CanvasRenderingContext2D, scene: Scene): void {
  for (const b of scene.batches) {
    const c = b.coords;
    const r = b.size;
    ctx.globalAlpha = b.alpha;
    ctx.strokeStyle = ctx.fillStyle = b.color;
    ctx.lineWidth = b.shape === 'line' || b.shape === 'dashed' ? b.size : b.shape === 'vbar' ? 2.5 : 1.5;
    ctx.setLineDash(b.shape === 'dashed' ? [4, 3] : []);
    ctx.beginPath();
    switch (b.shape) {
      case 'rect':
        for (let i = 0; i < c.length; i += 4) ctx.rect(c[i], c[i + 1], c[i + 2], c[i + 3]);
        ctx.fill();
        break;
      case 'line':
      case 'dashed':
      case 'cross':
      case 'plus':
      case 'vbar':
        tracePath(c, b.shape, r, (x, y) => ctx.moveTo(x, y), (x, y) => ctx.lineTo(x, y));
        ctx.stroke();
        break;
      case 'ring':
        for (let i = 0; i < c.length; i += 2) {
          ctx.moveTo(c[i] + r, c[i + 1]);
          ctx.arc(c[i], c[i + 1], r, 0, 2 * Math.PI);
        }
        ctx.stroke();
        break;
      case 'dot':
        for (let i = 0; i < c.length; i += 2) {
          ctx.moveTo(c[i] + r, c[i + 1]);
          ctx.arc(c[i], c[i + 1], r, 0, 2 * Math.PI);
        }
        ctx.fill();
        break;
      default:
        tracePath(c, b.shape, r, (x, y) => ctx.moveTo(x, y), (x, y) => ctx.lineTo(x, y), () => ctx.closePath());
        ctx.fill();
    }
  }
  ctx.globalAlpha = 1;
  ctx.setLineDash([]);
}

/** Walks the outline of every primitive of a path-like batch. */
function tracePath(c: number[], shape: Shape, r: number, move: (x: number, y: number) => void, line: (x: number, y: number) => void, close?: () => void): void {
  const stride = STRIDE[shape];
  for (let i = 0; i < c.length; i += stride) {
    const x = c[i];
    const y = c[i + 1];
    switch (shape) {
      case 'line':
      case 'dashed':
        move(x, y);
        line(c[i + 2], c[i + 3]);
        break;
      case 'arrowhead': {
        const dx = c[i + 2] - x;
        const dy = c[i + 3] - y;
        const len = Math.hypot(dx, dy) || 1;
        const ux = dx / len;
        const uy = dy / len;
        const hx = c[i + 2];
        const hy = c[i + 3];
        move(hx, hy);
        line(hx - ARROW * ux - (ARROW / 2) * uy, hy - ARROW * uy + (ARROW / 2) * ux);
        line(hx - ARROW * ux + (ARROW / 2) * uy, hy - ARROW * uy - (ARROW / 2) * ux);
        close?.();
        break;
      }
      case 'cross':
        move(x - r, y - r);
        line(x + r, y + r);
        move(x - r, y + r);
        line(x + r, y - r);
        break;
      case 'plus':
        move(x - r, y);
        line(x + r, y);
        move(x, y - r);
        line(x, y + r);
        break;
      case 'vbar':
        // A tall bar across the lane: fsyncs, which must not look like the writes they cover.
        move(x, y - 2 * r - 1);
        line(x, y + 2 * r + 1);
        break;
      case 'square':
        move(x - r, y - r);
        line(x + r, y - r);
        line(x + r, y + r);
        line(x - r, y + r);
        close?.();
        break;
      case 'diamond':
        move(x, y - r - 1);
        line(x + r + 1, y);
        line(x, y + r + 1);
        line(x - r - 1, y);
        close?.();
        break;
      case 'triangle':
        move(x, y - r - 1);
        line(x + r + 1, y + r);
        line(x - r - 1, y + r);
        close?.();
        break;
      default:
        break;
    }
  }
}

const f = (v: number) => String(Math.round(v * 10) / 10);

/** The scene as SVG elements (one `<path>` per batch), offset by (dx, dy). */
export function sceneToSvg(scene: Scene, dx = 0, dy = 0): string {
  const out: string[] = [];
  for (const b of scene.batches) {
    const c = b.coords;
    const opacity = b.alpha === 1 ? '' : ` opacity="${b.alpha}"`;
    if (b.shape === 'dot' || b.shape === 'ring') {
      const paint = b.shape === 'dot' ? `fill="${b.color}"` : `fill="none" stroke="${b.color}" stroke-width="1.5"`;
      const circles: string[] = [];
      for (let i = 0; i < c.length; i += 2) circles.push(`<circle cx="${f(c[i] + dx)}" cy="${f(c[i + 1] + dy)}" r="${b.size}"/>`);
      out.push(`<g ${paint}${opacity}>${circles.join('')}</g>`);
      continue;
    }
    let d = '';
    if (b.shape === 'rect') {
      for (let i = 0; i < c.length; i += 4) d += `M${f(c[i] + dx)} ${f(c[i + 1] + dy)}h${f(c[i + 2])}v${f(c[i + 3])}h${f(-c[i + 2])}z`;
    } else {
      tracePath(c, b.shape, b.size, (x, y) => (d += `M${f(x + dx)} ${f(y + dy)}`), (x, y) => (d += `L${f(x + dx)} ${f(y + dy)}`), () => (d += 'z'));
    }
    const stroked = b.shape === 'line' || b.shape === 'dashed' || b.shape === 'cross' || b.shape === 'plus' || b.shape === 'vbar';
    const paint = stroked
      ? `fill="none" stroke="${b.color}" stroke-width="${b.shape === 'line' || b.shape === 'dashed' ? b.size : b.shape === 'vbar' ? 2.5 : 1.5}"${b.shape === 'dashed' ? ' stroke-dasharray="4 3"' : ''}`
      : `fill="${b.color}"`;
    out.push(`<path d="${d}" ${paint}${opacity}/>`);
  }
  return out.join('\n');
}
