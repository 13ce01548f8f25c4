/**
 * Writes a resolved fault back as a `faults:` entry of a scenario file — the inverse of
 * `resolve-faults.ts` — so a realised fault (from a nemesis, or shrunk) becomes an explicit,
 * readable schedule entry: `{ kind: power-loss, target: hpc, at: 23s400ms, for: 2s }`.
 *
 * Guarantee: loading the entry back (in a scenario with the same topology) resolves to the same
 * fault, timing and magnitudes included — except a partition's informational `shape`: its sides are
 * written out explicitly, since a nemesis drew them from a shuffled group; units are written exactly (`formatDuration` and
 * friends are exact inverses of the parsers). Driven by the kind table, like resolution.
 */
import type { FaultSpec } from '../../faults/index.ts';
import { type ParamDef, kindDef } from './kinds.ts';
import { formatBandwidth, formatDuration } from '../units.ts';

export function writtenFault(fault: FaultSpec): Record<string, unknown> {
  const def = kindDef(fault.kind);
  const entry: Record<string, unknown> = { kind: fault.kind, ...writtenTargets(fault) };
  for (const param of def.params) {
    const value = (fault as unknown as Record<string, unknown>)[param.field];
    if (value === undefined || (param.unit === 'boolean' && value === param.default)) continue;
    entry[param.key] = writtenValue(param, value);
  }
  entry.at = formatDuration(fault.atUs);
  // Without `forUs` the fault lasts until the quiesce phase, which is what an entry without `for` says.
  if (def.instant !== true && fault.forUs !== undefined) entry.for = formatDuration(fault.forUs);
  return entry;
}

function writtenTargets(fault: FaultSpec): Record<string, unknown> {
  if ('targets' in fault) return { target: fault.targets.length === 1 ? fault.targets[0] : [...fault.targets] };
  if ('target' in fault) return { target: fault.target };
  if ('between' in fault) return { between: [...fault.between] };
  if (fault.kind === 'partition') {
    return { from: [...fault.from], to: [...fault.to], ...(fault.direction === 'both' ? {} : { direction: fault.direction }) };
  }
  return {};
}

function writtenValue(param: ParamDef, value: unknown): unknown {
  switch (param.unit) {
    case 'duration':
      return formatDuration(value as number);
    case 'signed-duration':
      return (value as number) < 0 ? `-${formatDuration(-(value as number))}` : formatDuration(value as number);
    case 'bandwidth':
      return formatBandwidth(value as number);
    default:
      return value;
  }
}
