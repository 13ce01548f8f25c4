/**
 * Faults injected by hand in the lab, written into the scenario's own text as timed `faults:`
 * entries — `{ kind: node-crash, target: hpc-1, at: 9s200ms, for: 2s }` — so that the page runs,
 * and the student downloads, one YAML file, and `diaspora run` on it gives the trace hash the page
 * showed. The rest of the file (comments, order, layout) is kept as written.
 *
 * Guarantee: an injected fault is a scheduled fault like any other: the page re-runs the edited
 * text from its seed rather than altering a running world, so the page's run and the CLI's are
 * the same run by construction. Times are whole microseconds, written exactly (`formatDuration`).
 *
 * How it fails: a fault the scenario's schema refuses (a time past the safety phase, an unknown
 * node) is refused by `parseScenario` when the session starts, with the CLI's message.
 */
import { isMap, isSeq, parseDocument, type YAMLSeq } from 'yaml';
import type { HandFault } from '../../viz/lab/protocol.ts';
import { formatDuration } from '../scenario/units.ts';

export type { HandFault };

/** The scenario entry for a fault, as a scenario file writes it. */
export function faultEntry(fault: HandFault): Record<string, unknown> {
  const timing = { at: formatDuration(fault.atUs), ...(fault.forUs === undefined ? {} : { for: formatDuration(fault.forUs) }) };
  switch (fault.kind) {
    case 'node-crash':
      return { kind: fault.kind, target: fault.target, ...timing };
    case 'slow-node':
      return { kind: fault.kind, target: fault.target, factor: fault.factor, ...timing };
    case 'partition':
      return { kind: fault.kind, from: [...fault.from], to: [...fault.to], ...timing };
  }
}

/** The scenario text with the faults appended to its `faults:` list (made if absent), each marked as injected in the lab. */
export function withHandFaults(text: string, faults: readonly HandFault[]): string {
  if (faults.length === 0) return text;
  const doc = parseDocument(text);
  if (!isMap(doc.contents)) return text; // parseScenario reports what is wrong with it
  let list = doc.get('faults');
  if (!isSeq(list)) {
    list = doc.createNode([]);
    doc.set('faults', list);
  }
  for (const fault of faults) {
    const node = doc.createNode(faultEntry(fault));
    node.flow = true;
    node.comment = ' injected by hand in the lab';
    (list as YAMLSeq).items.push(node);
  }
  return doc.toString({ lineWidth: 0 });
}
