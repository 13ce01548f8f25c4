/**
 * The "Break it" pane: the nodes with their state and a crash / restart and a slow / normal button
 * each, a partition between two sites or nodes, and the list of faults injected so far. It edits
 * the list of hand faults and asks the page to replay the run with it (`onChange`): a fault starts
 * one microsecond after the current time, so every record already seen keeps its place.
 *
 * Guarantee: an open fault (a crash not yet restarted, a slow node not yet normal, a cut not yet
 * healed) has no `forUs`; closing it sets `forUs` to the time it lasted. Nothing here runs the
 * simulation: the worker writes the list into the scenario and runs that.
 */
import { escapeHtml, formatTime } from '../draw/format.ts';
import type { HandFault, LabActor } from './protocol.ts';

/** How much slower a node runs while "slow". */
export const SLOW_FACTOR = 10;

export class HandFaults {
  faults: HandFault[] = [];
  private sites: Array<{ id: string; nodes: string[] }> = [];
  private actors: LabActor[] = [];
  private nowUs = 0;

  constructor(private readonly root: HTMLElement, private readonly onChange: (faults: HandFault[], atUs: number) => void) {
    root.querySelector('#cut')!.addEventListener('click', () => this.cut());
    root.querySelector('#heal')!.addEventListener('click', () => this.heal());
    root.querySelector('#nodes')!.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest('button');
      if (button?.dataset.node !== undefined) this.act(button.dataset.action!, button.dataset.node);
    });
    root.querySelector('#injected')!.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest('button');
      if (button?.dataset.remove === undefined) return;
      this.faults = this.faults.filter((_, i) => i !== Number(button.dataset.remove));
      this.onChange(this.faults, this.nowUs);
    });
  }

  /** A new scenario: its sites and nodes; no fault injected yet. */
  reset(sites: Array<{ id: string; nodes: string[] }>, faults: HandFault[] = []): void {
    this.sites = sites;
    this.faults = faults;
    const options = [...sites.map((s) => `<option value="${escapeHtml(s.id)}">site ${escapeHtml(s.id)}</option>`), ...sites.flatMap((s) => s.nodes.map((n) => `<option value="${escapeHtml(n)}">node ${escapeHtml(n)}</option>`))].join('');
    const from = this.root.querySelector<HTMLSelectElement>('#cut-from')!;
    const to = this.root.querySelector<HTMLSelectElement>('#cut-to')!;
    // A replay (after a fault injected by hand) keeps the two ends chosen, when they still exist.
    const chosen = [from.value, to.value];
    from.innerHTML = options;
    to.innerHTML = options;
    if (to.options.length > 1) to.selectedIndex = 1;
    [from, to].forEach((select, i) => {
      if (Array.from(select.options).some((o) => o.value === chosen[i] && chosen[i] !== '')) select.value = chosen[i]!;
    });
  }

  /** The run's state now: redraws the node table and the list. */
  show(actors: LabActor[], nowUs: number): void {
    this.actors = actors;
    this.nowUs = nowUs;
    const rows = this.sites.flatMap((site) => site.nodes.map((node) => {
      const on = actors.filter((a) => a.node === node);
      const down = on.length > 0 && on.every((a) => !a.up);
      const slow = this.open('slow-node', node) !== undefined;
      const state = down ? '<span class="state down">down</span>' : slow ? '<span class="state slow">slow</span>' : '<span class="state up">up</span>';
      const crash = this.open('node-crash', node) !== undefined
        ? `<button data-action="restart" data-node="${escapeHtml(node)}" title="Power it back on now">▲ restart</button>`
        : `<button data-action="crash" data-node="${escapeHtml(node)}" title="Power loss now: unsynced writes are lost">▼ crash</button>`;
      const speed = slow
        ? `<button data-action="normal" data-node="${escapeHtml(node)}">normal speed</button>`
        : `<button data-action="slow" data-node="${escapeHtml(node)}" title="Its CPU runs ${SLOW_FACTOR}× slower (a grey failure)">slow ×${SLOW_FACTOR}</button>`;
      const names = on.map((a) => a.id).join(', ');
      return `<tr><td><b>${escapeHtml(node)}</b> <span class="site">${escapeHtml(site.id)}</span><br><span class="site">${escapeHtml(names || 'no actor')}</span></td><td>${state}</td><td>${crash}</td><td>${speed}</td></tr>`;
    }));
    this.root.querySelector('#nodes')!.innerHTML = rows.join('');
    const list = this.faults.map((f, i) => `<li>${escapeHtml(describe(f))} <button data-remove="${i}" title="Remove this fault and replay">×</button></li>`);
    this.root.querySelector('#injected')!.innerHTML = list.length > 0 ? list.join('') : '<li class="none">none yet</li>';
  }

  private open(kind: HandFault['kind'], target: string): HandFault | undefined {
    return this.faults.find((f) => f.kind === kind && f.forUs === undefined && 'target' in f && f.target === target);
  }

  private act(action: string, node: string): void {
    const at = this.nowUs + 1;
    if (action === 'crash') this.faults.push({ kind: 'node-crash', target: node, atUs: at });
    if (action === 'slow') this.faults.push({ kind: 'slow-node', target: node, factor: SLOW_FACTOR, atUs: at });
    if (action === 'restart') this.close(this.open('node-crash', node), at);
    if (action === 'normal') this.close(this.open('slow-node', node), at);
    this.onChange(this.faults, at);
  }

  private cut(): void {
    const from = this.root.querySelector<HTMLSelectElement>('#cut-from')!.value;
    const to = this.root.querySelector<HTMLSelectElement>('#cut-to')!.value;
    if (from === to || from === '' || to === '') return;
    const at = this.nowUs + 1;
    this.faults.push({ kind: 'partition', from: [from], to: [to], atUs: at });
    this.onChange(this.faults, at);
  }

  private heal(): void {
    const at = this.nowUs + 1;
    for (const fault of this.faults.filter((f) => f.kind === 'partition' && f.forUs === undefined)) this.close(fault, at);
    this.onChange(this.faults, at);
  }

  private close(fault: HandFault | undefined, at: number): void {
    if (fault === undefined) return;
    const index = this.faults.indexOf(fault);
    this.faults[index] = { ...fault, forUs: Math.max(1, at - fault.atUs) };
  }
}

/** One line per fault, as the scenario will say it. */
export function describe(fault: HandFault): string {
  const span = `at ${formatTime(fault.atUs)}${fault.forUs === undefined ? ' (open)' : ` for ${formatTime(fault.forUs)}`}`;
  switch (fault.kind) {
    case 'node-crash':
      return `node-crash ${fault.target} ${span}`;
    case 'slow-node':
      return `slow-node ${fault.target} ×${fault.factor} ${span}`;
    case 'partition':
      return `partition ${fault.from.join(',')} | ${fault.to.join(',')} ${span}`;
  }
}
