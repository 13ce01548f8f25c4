/**
 * The names of an instrument's clocks (instrument.ts): `periodic`, one event every 1/rate, and
 * `poisson`, exponential gaps of mean 1/rate. Settings only, so that the scenario schema can
 * name them without loading the instrument (a refused scenario loads no actor; test/cli/bundle.test.ts).
 */
export const ARRIVALS = ['periodic', 'poisson'] as const;
export type Arrivals = (typeof ARRIVALS)[number];
