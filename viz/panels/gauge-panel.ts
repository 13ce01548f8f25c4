/**
 * The gauge panels (consumer lag, in-sync replicas, edge buffer fill): one step line per series
 * on the shared time axis, a dotted line for a known bound (capacity, min.insync.replicas), and
 * a legend in the title line.
 *
 * Guarantee: the level drawn at any x is the gauge's level at that time (to the gauge's bucket
 * width); where the level swung inside a bucket, the line runs through the bucket's min and max
 * before settling, so a spike is never smoothed away. Each line carries `data-series`, and its
 * plot `data-top` (the y domain's top) so that a test can read values back from the SVG.
 */
import type * as D3 from 'd3';
import { escapeHtml, formatCount, formatTime } from '../draw/format.ts';
import { levelAt, type Gauge, type GaugePanel } from '../wire/gauges.ts';

type G = D3.Selection<SVGGElement, unknown, null, undefined>;

/** Okabe–Ito, colour-blind safe; series beyond eight repeat colours (names stay in the legend). */
const SERIES_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

export const GAUGE_TITLES: Record<GaugePanel, { title: string; tooltip: string }> = {
  lag: {
    title: 'Consumer lag per group and partition (events) = high watermark − committed offset',
    tooltip: 'Kafka\'s consumer-group lag: the partition\'s high watermark at its current leader (the log end a consumer may read) minus the offset the group last committed (the next one it will consume). Rises while a consumer is down or slow; commits bring it back down. A forwarder reading a log is drawn under its own name, against the source position it has planned up to (the one it resumes from after a crash).',
  },
  isr: {
    title: 'In-sync replicas per partition (as the controller recorded them; dotted: min.insync.replicas)',
    tooltip: 'Length of the in-sync replica set after each controller decision (election, ISR shrink or expand, partition offline). A dotted line marks min.insync.replicas when the run\'s resolved scenario (beside the trace) says it: below it, acks=all writes are refused.',
  },
  buffer: {
    title: 'Edge buffer fill per forwarder (bytes; dotted: capacity)',
    tooltip: 'Bytes held in each forwarder\'s durable edge buffer, in memory and spilled; a dashed series of the same colour shows the spilled part alone. Rises while the uplink is down, drains when it returns.',
  },
};

const formatBytes = (bytes: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(value < 10 && unit > 0 ? 1 : 0))} ${units[unit]}`;
};

const formatOf = (panel: GaugePanel): ((v: number) => string) => (panel === 'buffer' ? formatBytes : formatCount);

/** The hover readout of a gauge panel at time t: each series' level then (HTML). */
export function gaugeReadout(gauges: Gauge[], t: number): string {
  const format = formatOf(gauges[0].panel);
  const colors = seriesColors(gauges);
  const rows = gauges.map((g, i) => {
    const level = levelAt(g, t);
    const bound = g.limit === undefined ? '' : ` of ${format(g.limit)}`;
    return `<tr><th style="color:${colors[i]}">${escapeHtml(g.name)}</th><td>${level === null ? '—' : format(level)}${bound}</td></tr>`;
  });
  const resolution = Math.max(...gauges.map((g) => g.bucketUs));
  return `<div class="tip-head">${escapeHtml(GAUGE_TITLES[gauges[0].panel].title)} at ${formatTime(t)}</div><table>${rows.join('')}</table>` +
    (resolution > 1 ? `<div class="tip-hint">levels to within ${formatTime(resolution)}</div>` : '');
}

/** The colour of each series: a forwarder's spill shares its fill's colour (and is dashed). */
export function seriesColors(gauges: Gauge[]): string[] {
  const byName = new Map<string, string>();
  return gauges.map((g) => {
    const owner = g.role === 'spill' ? g.name.replace(/ spilled$/, '') : g.name;
    let color = byName.get(owner);
    if (color === undefined) byName.set(owner, (color = SERIES_COLORS[byName.size % SERIES_COLORS.length]));
    return color;
  });
}

/** Appends the legend (one swatch and name per series) to a panel's title text. */
export function gaugeLegend(title: D3.Selection<SVGTextElement, unknown, null, undefined>, gauges: Gauge[]): void {
  const colors = seriesColors(gauges);
  gauges.forEach((g, i) => {
    title.append('tspan').attr('dx', 10).attr('fill', colors[i]).text(g.role === 'spill' ? '┅' : '━');
    title.append('tspan').attr('dx', 3).text(g.name);
  });
}

/** Draws a gauge panel's lines for the window [t0, t1] mapped by x onto [0, width] × [0, height]. */
export function drawGauges(plot: G, yAxis: G, gauges: Gauge[], x: D3.ScaleLinear<number, number>, height: number): void {
  const [t0, t1] = x.domain();
  const width = x.range()[1];
  const panel = gauges[0].panel;
  // The y domain fits the window (its buckets and the levels held into it), like the other panels.
  let top = 1;
  for (const g of gauges) {
    top = Math.max(top, levelAt(g, t0) ?? 0, g.limit ?? 0);
    for (let i = 0; i < g.t.length && g.t[i] <= t1; i++) if (g.t[i] > t0) top = Math.max(top, g.max[i]);
  }
  // Bytes get ticks at round numbers of their binary unit (1, 2, 4 MiB), not of bytes.
  const unit = panel === 'buffer' ? 1024 ** Math.max(0, Math.floor(Math.log2(top) / 10)) : 1;
  const y = d3.scaleLinear().domain([0, top / unit]).nice(3).range([height, 0]);
  const ticks = panel === 'isr' ? d3.range(0, y.domain()[1] + 1) : y.ticks(3);
  y.domain([0, y.domain()[1] * unit]);
  plot.attr('data-top', y.domain()[1]).attr('data-height', height);
  const colors = seriesColors(gauges);
  gauges.forEach((g, s) => {
    const line = stepPath(g, x, y, t0, t1, width);
    plot.append('path').attr('class', `gauge ${g.role}`).attr('data-series', g.name).attr('d', line)
      .attr('fill', 'none').attr('stroke', colors[s]).attr('stroke-width', 1.5).attr('stroke-dasharray', g.role === 'spill' ? '4 2' : null);
  });
  // One dotted line per distinct bound, in its series' colour, grey when several series share it.
  const limits = d3.group(gauges.filter((g) => g.limit !== undefined), (g) => g.limit!);
  for (const [limit, owners] of limits) {
    plot.append('line').attr('class', 'gauge-limit').attr('data-series', owners.map((g) => g.name).join(', ')).attr('x1', 0).attr('x2', width)
      .attr('y1', y(limit)).attr('y2', y(limit)).attr('stroke', owners.length === 1 ? colors[gauges.indexOf(owners[0])] : '#555555')
      .attr('stroke-dasharray', '2 3').attr('opacity', 0.8);
  }
  const format = formatOf(panel);
  yAxis.call(d3.axisLeft(y).tickValues(ticks.map((v) => v * unit)).tickFormat((d) => format(Number(d))));
}

/**
 * A step line in absolute commands (`M`, `H`, `V`): the level at t0, then for each stored bucket
 * in the window a move to its x, through its min and max, to its last value.
 */
function stepPath(g: Gauge, x: D3.ScaleLinear<number, number>, y: D3.ScaleLinear<number, number>, t0: number, t1: number, width: number): string {
  const r = (v: number) => Math.round(v * 10) / 10;
  const start = levelAt(g, t0);
  let d = start === null ? '' : `M0,${r(y(start))}`;
  for (let i = 0; i < g.t.length && g.t[i] <= t1; i++) {
    if (g.t[i] <= t0) continue;
    const px = r(x(g.t[i]));
    d += d === '' ? `M${px},${r(y(g.min[i]))}` : `H${px}`;
    d += g.min[i] === g.max[i] ? `V${r(y(g.last[i]))}` : `V${r(y(g.min[i]))}V${r(y(g.max[i]))}V${r(y(g.last[i]))}`;
  }
  return d === '' ? '' : `${d}H${width}`;
}
