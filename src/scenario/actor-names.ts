/**
 * The process names a fault target may give besides sites and nodes — every service and producer,
 * and what each feature declares (`actorNames`: its actors, and groups such as a log service or a
 * pipeline operator that stand for several of them) — each with the actor ids it stands for.
 *
 * Guarantee: one map serves the cross-checks (which names exist) and resolution (what each expands
 * to), so the two cannot disagree; an actor stands for itself, and a group named like a service
 * replaces it (a log service named `kafka` is its brokers and controller, not an actor `kafka`).
 * Insertion order is the scenario's (services, producers, then features in registration order), so
 * suggestions and expansions are deterministic.
 */
import { features } from './registry.ts';
import type { ScenarioFields } from './written-types.ts';

export function targetableActors(s: ScenarioFields): ReadonlyMap<string, readonly string[]> {
  const names = new Map<string, readonly string[]>();
  for (const name of [...Object.keys(s.services), ...Object.keys(s.workload)]) names.set(name, [name]);
  for (const feature of features()) {
    for (const entry of feature.actorNames?.(s) ?? []) {
      if (typeof entry === 'string') {
        if (!names.has(entry)) names.set(entry, [entry]);
        continue;
      }
      names.set(entry.name, entry.actors);
      for (const actor of entry.actors) if (!names.has(actor)) names.set(actor, [actor]);
    }
  }
  return names;
}
