/**
 * A rollback cascade on the diagram, step by step: for each step up to the one being shown, the
 * message that forced it traced in the fail colour (an orphan; or a message in transit, dashed, to
 * its late receipt or — never received — to the receiver's lane at the rollback), the abandoned
 * checkpoint crossed out, and an arc on the process's lane from it back to the checkpoint it falls
 * to, numbered with the step. Later steps
 * are not drawn, so stepping through them shows the dominoes fall one by one.
 *
 * Guarantee: drawn from `model/cascade.ts` whatever the zoom, on visible lanes. Each step's group
 * carries `data-step`, `data-actor`, `data-from` and `data-to` (checkpoint times, µs).
 */
import type * as D3 from 'd3';
import type { Cascade, CascadeStep } from '../model/cascade.ts';
import type { RunModel } from '../model/model.ts';
import { formatTime } from './format.ts';
import type { MarkFrame } from './frame.ts';
import { FAIL_COLOR } from './palette.ts';

type G = D3.Selection<SVGGElement, unknown, null, undefined>;

/** What a step says, in a sentence a student can read. */
export function stepSentence(model: RunModel, cascade: Cascade, index: number): string {
  const ids = model.data.header.actors.map((a) => a.id);
  const step = cascade.steps[index];
  const where = (t: number) => (t === 0 ? 'its initial state' : `its checkpoint at ${formatTime(t)}`);
  const head = `Rollback step ${index + 1} of ${cascade.steps.length}: `;
  if (step.cause === 'failed') return `${head}${ids[step.actor]} failed; the coordinator restarts it from ${where(step.to.t)}${step.from.t > step.to.t ? ` (not from ${where(step.from.t)})` : ''}.`;
  const { t, a, peer } = model.data;
  if (step.cause === 'in-transit') {
    const receiver = ids[peer[step.sendRow]];
    const receipt = step.recvRow < 0 ? 'never received it' : `received it at ${formatTime(t[step.recvRow])}, after its recovery point`;
    return `${head}${where(step.from.t).replace('its', `${ids[step.actor]}'s`)} includes a message it sent ${receiver} at ${formatTime(t[step.sendRow])}; ${receiver} ${receipt} — in transit, and no log holds it to send again. So ${ids[step.actor]} falls back to ${where(step.to.t)}, before it sent it.`;
  }
  return `${head}${where(step.from.t).replace('its', `${ids[step.actor]}'s`)} recorded the receipt (${formatTime(t[step.recvRow])}) of a message ${ids[a[step.sendRow]]} sent at ${formatTime(t[step.sendRow])}, after ${ids[a[step.sendRow]]}'s recovery point — an orphan. So ${ids[step.actor]} falls back to ${where(step.to.t)}.`;
}

export function drawCascade(g: G, model: RunModel, f: MarkFrame, shown: number): void {
  const { t, a, peer } = model.data;
  const ids = model.data.header.actors.map((x) => x.id);
  const steps: Array<CascadeStep & { index: number; rollbackT: number }> = [];
  for (const cascade of model.cascades) cascade.steps.forEach((s, index) => {
    if (index < shown && !Number.isNaN(f.laneY[s.actor])) steps.push({ ...s, index, rollbackT: cascade.t });
  });
  g.selectAll('g.cascade-step').data(steps).join((e) => {
    const m = e.append('g');
    m.append('path').attr('class', 'orphan');
    m.append('path').attr('class', 'abandoned');
    m.append('path').attr('class', 'fall');
    m.append('path').attr('class', 'fall-head');
    m.append('circle');
    m.append('text').attr('class', 'step-number');
    return m;
  }).attr('class', 'cascade-step').attr('data-step', (s) => s.index + 1).attr('data-actor', (s) => ids[s.actor])
    .attr('data-from', (s) => s.from.t).attr('data-to', (s) => s.to.t)
    .each(function (s) {
      const m = d3.select(this);
      const y = f.laneY[s.actor];
      const h = f.laneHeight / 2;
      const x1 = f.x(s.from.t);
      const x2 = f.x(s.to.t);
      m.select('path.orphan').attr('d', messagePath(s, f, t, a, peer, y)).attr('fill', 'none').attr('stroke', FAIL_COLOR).attr('stroke-width', 3.5)
        .attr('stroke-dasharray', s.cause === 'in-transit' ? '7 4' : null);
      m.select('path.abandoned').attr('d', s.from.t > 0 ? `M${x1 - 6},${y - 6}L${x1 + 6},${y + 6}M${x1 - 6},${y + 6}L${x1 + 6},${y - 6}` : '')
        .attr('stroke', FAIL_COLOR).attr('stroke-width', 3);
      // An arc above the lane from the abandoned checkpoint back to the one the process falls to.
      const lift = Math.min(h + 14, 10 + Math.abs(x1 - x2) / 6);
      m.select('path.fall').attr('d', `M${x1},${y - 4}Q${(x1 + x2) / 2},${y - lift * 2} ${x2},${y - 4}`)
        .attr('fill', 'none').attr('stroke', FAIL_COLOR).attr('stroke-width', 2);
      m.select('path.fall-head').attr('d', `M${x2 - 5},${y - 12}L${x2 + 5},${y - 12}L${x2},${y - 3}Z`).attr('fill', FAIL_COLOR);
      const cx = (x1 + x2) / 2;
      const cy = y - lift;
      m.select('circle').attr('cx', cx).attr('cy', cy).attr('r', 8).attr('fill', '#fff').attr('stroke', FAIL_COLOR).attr('stroke-width', 2);
      m.select('text.step-number').attr('x', cx).attr('y', cy + 4).attr('text-anchor', 'middle').text(s.index + 1);
    });
}

/** The message that forced a step: an orphan from its send to its receipt on the falling lane; one in transit from the falling lane to its receipt, or to the receiver's lane at the rollback if it never arrived. */
function messagePath(s: CascadeStep & { rollbackT: number }, f: MarkFrame, t: Float64Array, a: Int32Array, peer: Int32Array, y: number): string {
  if (s.sendRow < 0) return '';
  if (s.cause === 'orphan') return Number.isNaN(f.laneY[a[s.sendRow]]) ? '' : `M${f.x(t[s.sendRow])},${f.laneY[a[s.sendRow]]}L${f.x(t[s.recvRow])},${y}`;
  const receiverY = f.laneY[peer[s.sendRow]];
  if (Number.isNaN(receiverY)) return '';
  return `M${f.x(t[s.sendRow])},${y}L${f.x(s.recvRow >= 0 ? t[s.recvRow] : s.rollbackT)},${receiverY}`;
}
