/**
 * A broker's per-object state: for every object id, how many detections it has had and the sum of
 * their magnitudes (so the running mean is `sum / count`), in two dense typed arrays.
 *
 * Guarantee: updates are integer additions, so the state after a set of alerts does not depend on
 * the order they were applied in; `digest` is over the whole arrays, so two brokers (or two runs)
 * with the same digest applied the same multiset of alerts. Applying an alert twice counts it
 * twice — the broker's checkpoint, written with its log positions, is what prevents that.
 *
 * Classification of an alert, against its object's history before it: `brightening` (more than
 * 0.5 mag brighter than the running mean), `fading` (0.5 mag fainter) or `steady`; alerts of
 * objects with fewer than `minDetections` detections (this one included) are not passed on.
 */
import { hex64 } from '../../../kernel/contract/index.ts';
import type { AlertBatch } from './sky.ts';

/** Half a magnitude: the change a broker calls brightening or fading. */
const CHANGE_MILLI_MAG = 500;

export interface ObjectHistoryImage {
  readonly count: Uint32Array;
  readonly sumMilliMag: Float64Array;
}

export interface Classified {
  readonly brightening: number;
  readonly fading: number;
  readonly steady: number;
}

export class ObjectHistory {
  private constructor(private readonly image: ObjectHistoryImage) {}

  static empty(objects: number): ObjectHistory {
    return new ObjectHistory({ count: new Uint32Array(objects), sumMilliMag: new Float64Array(objects) });
  }

  /** A history from a saved image (copied: the image stays as it was saved). */
  static restore(image: ObjectHistoryImage): ObjectHistory {
    return new ObjectHistory({ count: image.count.slice(), sumMilliMag: image.sumMilliMag.slice() });
  }

  /** A copy to save; later updates do not change it. */
  snapshot(): ObjectHistoryImage {
    return { count: this.image.count.slice(), sumMilliMag: this.image.sumMilliMag.slice() };
  }

  /** Bytes of the saved image. */
  get bytes(): number {
    return this.image.count.byteLength + this.image.sumMilliMag.byteLength;
  }

  /** Adds alerts to their objects' histories, in order, and classifies the ones that pass. */
  apply(alerts: AlertBatch, minDetections: number): Classified {
    const { count, sumMilliMag } = this.image;
    let brightening = 0;
    let fading = 0;
    let steady = 0;
    for (let i = 0; i < alerts.objects.length; i++) {
      const object = alerts.objects[i]!;
      const mag = alerts.milliMag[i]!;
      const before = count[object]!;
      if (before + 1 >= minDetections) {
        // A first detection has no history to compare with: steady until seen again.
        const change = before === 0 ? 0 : mag - sumMilliMag[object]! / before;
        if (change < -CHANGE_MILLI_MAG) brightening++;
        else if (change > CHANGE_MILLI_MAG) fading++;
        else steady++;
      }
      count[object] = before + 1;
      sumMilliMag[object] = sumMilliMag[object]! + mag;
    }
    return { brightening, fading, steady };
  }

  /** 16 hex digits over both arrays, in object order. */
  digest(): string {
    let a = 0x811c9dc5;
    let b = 0x9747b28c;
    const { count, sumMilliMag } = this.image;
    for (let i = 0; i < count.length; i++) {
      const n = count[i]!;
      if (n === 0) continue;
      for (const word of [i, n, sumMilliMag[i]!]) {
        a = Math.imul(a ^ word, 0x01000193) >>> 0;
        b = Math.imul(b ^ word, 0x5bd1e995) >>> 0;
      }
    }
    return hex64(a, b);
  }
}
