/**
 * Virtual compute time per event: a service-time distribution drawn from the operator's own
 * `service` random stream, stretched by its node's CPU slowdown (a `slow-node` fault).
 *
 * `fixed` is the mean every time; `exponential` has the mean and a coefficient of variation of 1;
 * `lognormal` has the mean and the given coefficient of variation (σ² = ln(1 + cv²),
 * μ = ln(mean) − σ²/2), the usual shape of measured task times. Draws are rounded to whole µs.
 *
 * Guarantee: a whole, non-negative number of µs, drawn only from the operator's `service` stream,
 * so the same seed gives the same service times whatever else the run draws. How it fails:
 * `exponential` and `lognormal` go through `Math.log` and `Math.sqrt`, so those times — and
 * with them the trace — are promised bit-identical per Node major version only
 * (kernel/contract/rng.ts).
 */
import type { Context, Micros } from '../../../kernel/contract/index.ts';

export const SERVICE_DISTRIBUTIONS = ['fixed', 'exponential', 'lognormal'] as const;
export type ServiceDistribution = (typeof SERVICE_DISTRIBUTIONS)[number];

export interface ServiceTime {
  readonly distribution: ServiceDistribution;
  readonly meanUs: Micros;
  /** Coefficient of variation (lognormal only). */
  readonly cv: number;
}

export function drawServiceUs(ctx: Context, service: ServiceTime): Micros {
  let us: number;
  switch (service.distribution) {
    case 'fixed':
      us = service.meanUs;
      break;
    case 'exponential':
      us = ctx.rng('service').exponential(service.meanUs);
      break;
    case 'lognormal': {
      const sigma2 = Math.log(1 + service.cv * service.cv);
      us = ctx.rng('service').lognormal(Math.log(service.meanUs) - sigma2 / 2, Math.sqrt(sigma2));
      break;
    }
  }
  return Math.max(0, Math.round(us * ctx.cpuSlowdown()));
}
