/**
 * The legend's "Recovery" row: one entry per storage tier that occurs (its shape and colour),
 * a size key (area proportional to bytes, at the scale the diagram uses), and the cut, recovery
 * line, lost-work, replay and flagged-arrow styles, each only when the runs have one.
 */
import type { RunModel } from '../model/model.ts';
import { CUT_COLOR, FAIL_COLOR, LOST_COLOR, REPLAY_COLOR, tierStyle } from '../draw/palette.ts';
import { checkpointArea, formatBytes, tierShape } from '../draw/recovery-marks.ts';

export interface RecoveryLegendEntry {
  /** SVG content of a 30×14 swatch. */
  symbol: string;
  label: string;
  title?: string;
}

/** The size key shows these fractions of the largest checkpoint. */
const KEY_FRACTIONS = [1 / 16, 1 / 4, 1];

export function recoveryLegend(models: RunModel[]): RecoveryLegendEntry[] {
  const all = models.map((m) => m.recovery);
  const checkpoints = all.flatMap((r) => r.checkpoints);
  const entries: RecoveryLegendEntry[] = [];
  const tiers = [...new Set(checkpoints.map((c) => c.tier))].sort();
  for (const tier of tiers) {
    const { color } = tierStyle(tier);
    entries.push({ symbol: `<path transform="translate(15,7)" d="${tierShape(tier, 60)}" fill="${color}" stroke="#1f2328" stroke-width="0.75"/><line x1="2" y1="7" x2="9" y2="7" stroke="${color}" stroke-width="2"/>`, label: `checkpoint on ${tier} (tick: write time)` });
  }
  if (checkpoints.some((c) => c.failed)) {
    entries.push({ symbol: `<path transform="translate(15,7)" d="${tierShape('', 60)}" fill="#ffffff" stroke="#555555" stroke-width="2"/>`, label: 'checkpoint write failed' });
  }
  if (checkpoints.length > 0) {
    // The key is drawn at the diagram's own scale, shrunk to fit a swatch: the ratios are what count.
    const { area, largest } = checkpointArea(models);
    const fit = (Math.PI * 6 * 6) / area(largest);
    let x = 3;
    const circles = KEY_FRACTIONS.map((fraction) => {
      const r = Math.sqrt((area(largest * fraction) * fit) / Math.PI);
      const circle = `<circle cx="${(x + r).toFixed(2)}" cy="${(13 - r).toFixed(2)}" r="${r.toFixed(2)}" fill="none" stroke="#1f2328" stroke-width="0.75"/>`;
      x += 2 * r + 2;
      return circle;
    });
    entries.push({ symbol: circles.join(''), label: `area ∝ bytes: ${KEY_FRACTIONS.map((f) => formatBytes(Math.round(largest * f))).join(', ')}`, title: 'the three circles are 1/16, 1/4 and all of the largest checkpoint' });
  }
  const line = (color: string, dash: string) => `<path d="M4,1V5L26,9V13" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
  if (all.some((r) => r.cuts.some((c) => c.kind === 'cut'))) entries.push({ symbol: line(CUT_COLOR, ''), label: 'snapshot cut (through each local snapshot)' });
  if (all.some((r) => r.cuts.some((c) => c.kind === 'recovery'))) entries.push({ symbol: line(FAIL_COLOR, '6 3'), label: 'recovery line chosen at rollback' });
  const shade = (color: string) => `<rect x="1" y="2" width="28" height="10" fill="${color}" fill-opacity="0.3"/><rect x="1" y="9" width="28" height="3" fill="${color}"/>`;
  if (all.some((r) => r.lost.length > 0)) entries.push({ symbol: shade(LOST_COLOR), label: 'work lost (restored snapshot → failure)' });
  if (all.some((r) => r.replays.length > 0)) entries.push({ symbol: shade(REPLAY_COLOR), label: 'replay (until caught up)' });
  if (models.some((m) => (m.data.header.annotations?.verdicts ?? []).some((v) => v.events.length > 0))) {
    entries.push({ symbol: `<line x1="3" y1="11" x2="27" y2="3" stroke="${FAIL_COLOR}" stroke-width="6" stroke-opacity="0.45" stroke-linecap="round"/>`, label: 'produce and ack of events a check found lost or duplicated' });
  }
  return entries;
}
