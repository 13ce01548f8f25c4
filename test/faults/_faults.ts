/**
 * Helpers for fault tests: realised faults written the way a schedule reads
 * (`fault('power-loss', { targets: ['hpc'] }).at(2 * SECOND).for(SECOND)`), injected into a world
 * built with the world tests' scenario DSL (test/world/_scenario.ts).
 */
import type { FaultKind, FaultSpec, RealisedFault } from '../../src/faults/index.ts';
import { injectFaults } from '../../src/faults/index.ts';
import type { Micros } from '../../src/kernel/index.ts';
import type { Scenario } from '../world/_scenario.ts';

type Fields<K extends FaultKind> = Omit<Extract<FaultSpec, { kind: K }>, 'kind' | 'atUs' | 'forUs' | 'endUs'>;

let counter = 0;

export interface FaultBuilder {
  /** Starts at `atUs`; an instant, or (with `.for`) a period. */
  at(atUs: Micros): RealisedFault & { for(forUs: Micros): RealisedFault; forever(): RealisedFault };
}

export function fault<K extends FaultKind>(kind: K, fields: Fields<K>): FaultBuilder {
  const id = `${kind}-${++counter}`;
  return {
    at: (atUs) => {
      const instant = { kind, ...fields, atUs, endUs: atUs, id, source: 'schedule' } as unknown as RealisedFault;
      return Object.assign(instant, {
        for: (forUs: Micros) => ({ kind, ...fields, atUs, forUs, endUs: atUs + forUs, id, source: 'schedule' }) as unknown as RealisedFault,
        forever: () => ({ kind, ...fields, atUs, id, source: 'schedule' }) as unknown as RealisedFault,
      });
    },
  };
}

/** Injects the faults into the scenario's world (before it runs). */
export function inject(s: Scenario, ...faults: RealisedFault[]): void {
  injectFaults(s.world, faults.map(({ for: _for, forever: _forever, ...f }: any) => f as RealisedFault));
}

/** `[time, fault id, phase]` of every fault record. */
export function faultRecords(s: Scenario): [Micros, string, string][] {
  return s.kinds('fault').map((r) => [r.t, String(r.fault), String(r.phase)]);
}
