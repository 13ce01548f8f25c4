/**
 * The toolbar and the keyboard: filter box, playback buttons and speed, the idle-chatter box, zoom
 * buttons, export and help. The markup is in page.html; this module only wires it to actions, so every action has both
 * a button (with its shortcut in the tooltip) and a key.
 */
import { SPEEDS, type View } from './view.ts';

export interface Actions {
  filter(text: string): void;
  togglePlay(): void;
  stepEvent(direction: 1 | -1): void;
  stepFault(direction: 1 | -1): void;
  zoom(factor: number): void;
  pan(fraction: number): void;
  fit(): void;
  clearSelection(): void;
  exportSvg(): void;
  exportPng(): void;
}

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function wireControls(view: View, actions: Actions): void {
  const filter = byId<HTMLInputElement>('filter');
  let pending = 0;
  filter.addEventListener('input', () => {
    clearTimeout(pending);
    pending = window.setTimeout(() => actions.filter(filter.value), 120);
  });
  const speed = byId<HTMLSelectElement>('speed');
  speed.innerHTML = SPEEDS.map((s) => `<option value="${s}">${s}×</option>`).join('');
  speed.addEventListener('change', () => view.update({ speed: Number(speed.value) }));
  const idle = byId<HTMLInputElement>('show-idle');
  idle.addEventListener('change', () => view.update({ idle: idle.checked }));
  const click = (id: string, action: () => void) => byId(id).addEventListener('click', action);
  click('play', () => actions.togglePlay());
  click('prev-event', () => actions.stepEvent(-1));
  click('next-event', () => actions.stepEvent(1));
  click('prev-fault', () => actions.stepFault(-1));
  click('next-fault', () => actions.stepFault(1));
  click('zoom-in', () => actions.zoom(2));
  click('zoom-out', () => actions.zoom(0.5));
  click('reset', () => actions.fit());
  click('export-svg', () => actions.exportSvg());
  click('export-png', () => actions.exportPng());
  const help = byId<HTMLDialogElement>('help');
  click('help-button', () => help.showModal());
  click('help-close', () => help.close());
  view.onChange((s) => {
    byId('play').textContent = s.playing ? '❚❚ Pause' : '▶ Play';
    if (document.activeElement !== filter && filter.value !== s.filter) filter.value = s.filter;
    speed.value = String(s.speed);
    idle.checked = s.idle;
  });
  document.addEventListener('keydown', (event) => onKey(event, view, actions, filter, help));
}

function onKey(event: KeyboardEvent, view: View, actions: Actions, filter: HTMLInputElement, help: HTMLDialogElement): void {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
  if (typing) {
    if (event.key === 'Escape' || event.key === 'Enter') filter.blur();
    return;
  }
  const speedStep = (d: number) => {
    const i = SPEEDS.indexOf(view.state.speed) + d;
    if (i >= 0 && i < SPEEDS.length) view.update({ speed: SPEEDS[i] });
  };
  const keys: Record<string, () => void> = {
    ' ': () => actions.togglePlay(),
    ArrowRight: () => (event.shiftKey ? actions.stepFault(1) : actions.stepEvent(1)),
    ArrowLeft: () => (event.shiftKey ? actions.stepFault(-1) : actions.stepEvent(-1)),
    '+': () => actions.zoom(2),
    '=': () => actions.zoom(2),
    w: () => actions.zoom(2),
    '-': () => actions.zoom(0.5),
    s: () => actions.zoom(0.5),
    a: () => actions.pan(-0.25),
    d: () => actions.pan(0.25),
    '0': () => actions.fit(),
    Home: () => actions.fit(),
    '[': () => speedStep(-1),
    ']': () => speedStep(1),
    '/': () => filter.focus(),
    f: () => filter.focus(),
    Escape: () => actions.clearSelection(),
    '?': () => (help.open ? help.close() : help.showModal()),
    i: () => view.update({ idle: !view.state.idle }),
  };
  const action = keys[event.key];
  if (action === undefined) return;
  event.preventDefault();
  action();
}
