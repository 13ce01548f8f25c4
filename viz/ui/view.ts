/**
 * The view state — visible time window, filter text, selected record, playhead, speed and whether
 * idle chatter is unfolded — and its
 * form in the URL hash (`#t=0,12000&f=site:hpc&sel=0.42&p=5000&s=2&i=1`), so a link reopens the page
 * on the same view. Everything the page shows is a function of the trace and this state.
 *
 * Guarantee: the window always lies inside the run's time domain and spans at least `MIN_SPAN_US`;
 * a hash that cannot be read is ignored field by field, never fatal.
 */

export const MIN_SPAN_US = 10;
export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16];

export interface Selection {
  run: number;
  row: number;
}

export interface ViewState {
  t0: number;
  t1: number;
  filter: string;
  selection: Selection | null;
  /** The playback cursor (µs), or null when playback has not been used. */
  playhead: number | null;
  playing: boolean;
  /** Playback speed: at 1 the playhead crosses the visible window in 10 s. */
  speed: number;
  /** Draw idle chatter (heartbeats, empty fetches) one by one at every zoom. */
  idle: boolean;
}

export class View {
  state: ViewState;
  private readonly listeners: Array<(state: ViewState) => void> = [];

  constructor(readonly domain: [number, number]) {
    this.state = { t0: domain[0], t1: domain[1], filter: '', selection: null, playhead: null, playing: false, speed: 1, idle: false };
  }

  onChange(listener: (state: ViewState) => void): void {
    this.listeners.push(listener);
  }

  update(change: Partial<ViewState>): void {
    const next = { ...this.state, ...change };
    [next.t0, next.t1] = this.clampWindow(next.t0, next.t1);
    if (next.playhead !== null) next.playhead = Math.max(this.domain[0], Math.min(this.domain[1], next.playhead));
    this.state = next;
    for (const listener of this.listeners) listener(next);
  }

  /** Shows [t0, t1], clamped: a window wider than the domain shows the whole domain. */
  clampWindow(t0: number, t1: number): [number, number] {
    const [d0, d1] = this.domain;
    let span = Math.max(MIN_SPAN_US, Math.min(d1 - d0, t1 - t0));
    if (!Number.isFinite(span)) span = d1 - d0;
    let start = Math.max(d0, Math.min(t0, d1 - span));
    if (!Number.isFinite(start)) start = d0;
    return [start, start + span];
  }

  toHash(): string {
    const s = this.state;
    const parts = [`t=${Math.round(s.t0)},${Math.round(s.t1)}`];
    if (s.filter !== '') parts.push(`f=${encodeURIComponent(s.filter)}`);
    if (s.selection !== null) parts.push(`sel=${s.selection.run}.${s.selection.row}`);
    if (s.playhead !== null) parts.push(`p=${Math.round(s.playhead)}`);
    if (s.speed !== 1) parts.push(`s=${s.speed}`);
    if (s.idle) parts.push('i=1');
    return `#${parts.join('&')}`;
  }

  /** The state a hash describes, given how many rows each run has (to validate a selection). */
  fromHash(hash: string, rows: number[]): Partial<ViewState> {
    const change: Partial<ViewState> = {};
    for (const part of hash.replace(/^#/, '').split('&')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const key = part.slice(0, eq);
      const value = part.slice(eq + 1);
      if (key === 't') {
        const [t0, t1] = value.split(',').map(Number);
        if (Number.isFinite(t0) && Number.isFinite(t1) && t1 > t0) [change.t0, change.t1] = [t0, t1];
      } else if (key === 'f') {
        try {
          change.filter = decodeURIComponent(value);
        } catch {
          // A hash edited by hand may be badly escaped; keep the filter empty rather than fail.
        }
      } else if (key === 'sel') {
        const [run, row] = value.split('.').map(Number);
        if (Number.isInteger(run) && Number.isInteger(row) && run >= 0 && run < rows.length && row >= 0 && row < rows[run]) change.selection = { run, row };
      } else if (key === 'p') {
        const p = Number(value);
        if (Number.isFinite(p)) change.playhead = p;
      } else if (key === 's') {
        const s = Number(value);
        if (SPEEDS.includes(s)) change.speed = s;
      } else if (key === 'i') {
        change.idle = value === '1';
      }
    }
    return change;
  }
}
