/**
 * The size of the events on each stream of a pipeline as written, known before the run: a source's
 * `size`, a split's input over its fanout, a map's `output-size` or its input's, a window's
 * `output-size`, an account's fixed transfer — the same rules the operator kinds follow
 * (actors/kinds.ts) when they build events.
 *
 * Guarantee: for every stream some operator writes, the largest event any of its writers emits,
 * and which writer and field set it; streams in a cycle (the bank's accounts) settle, since every
 * rule either fixes a size or passes one on unchanged or smaller. Used by the cross-checks to refuse
 * at load time a stream whose events its log topic would refuse one by one at run time.
 */
import { TRANSFER_BYTES } from '../actors/kinds.ts';
import type { Path } from '../../../scenario/paths.ts';
import type { WrittenOperator, WrittenPipeline } from './schema.ts';

/** The largest event of a stream, and where the scenario sets that size. */
export interface StreamEventSize {
  readonly bytes: number;
  /** The field (or the operator, when its size follows its input's) that gives the size. */
  readonly path: Path;
}

export function streamEventSizes(pipeline: WrittenPipeline): Map<string, StreamEventSize> {
  const sizes = new Map<string, StreamEventSize>();
  const operators = Object.entries(pipeline.operators);
  // Each pass carries sizes one stream further; as many passes as operators reach every one.
  for (let pass = 0; pass <= operators.length; pass++) {
    let changed = false;
    for (const [name, op] of operators) {
      const out = outputSize(name, op, 'from' in op ? sizes.get(op.from) : undefined);
      if (out === undefined) continue;
      const known = sizes.get(op.to);
      if (known === undefined || out.bytes > known.bytes) {
        sizes.set(op.to, out);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return sizes;
}

function outputSize(name: string, op: WrittenOperator, input: StreamEventSize | undefined): StreamEventSize | undefined {
  const at = (field?: string): Path => (field === undefined ? ['pipeline', 'operators', name] : ['pipeline', 'operators', name, field]);
  switch (op.kind) {
    case 'source':
      return { bytes: op.size, path: at('size') };
    case 'account':
      return { bytes: TRANSFER_BYTES, path: at() };
    case 'window':
      return { bytes: op['output-size'], path: at('output-size') };
    case 'map':
      if (op['output-size'] !== undefined) return { bytes: op['output-size'], path: at('output-size') };
      return input;
    case 'split':
      return input === undefined ? undefined : { bytes: Math.ceil(input.bytes / op.fanout), path: input.path };
  }
}
