/**
 * A pipeline's shape as names: the actor id of each operator instance, and whether its streams
 * loop back. Apart from pipeline.ts (which plans and spawns the operators) so that a scenario's
 * cross-checks and fault-target names use them without loading the operators.
 */

/** The actor id of an operator's `index`-th instance: the operator's name when it has one instance, `<name>-<index + 1>` otherwise. */
export function instanceName(op: { readonly name: string; readonly parallelism: number }, index: number): string {
  return op.parallelism === 1 ? op.name : `${op.name}-${index + 1}`;
}

/** Whether some stream leads back to an operator that feeds it (the bank's accounts). */
export function hasCycle(def: { readonly operators: readonly { readonly name: string; readonly from?: string; readonly to: string }[] }): boolean {
  type Op = (typeof def.operators)[number];
  const next = (op: Op) => def.operators.filter((other) => other.from === op.to);
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (op: Op): boolean => {
    if (visiting.has(op.name)) return true;
    if (done.has(op.name)) return false;
    visiting.add(op.name);
    const cyclic = next(op).some(visit);
    visiting.delete(op.name);
    done.add(op.name);
    return cyclic;
  };
  return def.operators.some(visit);
}
