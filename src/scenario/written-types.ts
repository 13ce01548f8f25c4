/**
 * The scenario as written, once every field is well-formed (units converted, defaults applied) but
 * before cross-section checks and resolution: what cross-checks and `resolve` hooks read.
 *
 * The core sections are typed from the core schema; features add theirs by augmenting the three
 * interfaces below from their own modules (`declare module '…/scenario/written-types.ts'`), so the
 * type of a feature's section lives with the feature and this file names none.
 */
import type * as z from 'zod';
import type { linkSchema, producerFields, siteSchema } from './core-schema.ts';
import type { WrittenFault, WrittenNemesis, livenessSchema } from './faults/schema.ts';

/** Sections features add to the written scenario, by key. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface WrittenSections {}

/** Service kinds as written, by `kind`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface WrittenServiceKinds {}

/** Producer fields features add (all optional: they apply to producers writing to their services). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface WrittenProducerExtensions {}

export type WrittenService = WrittenServiceKinds[keyof WrittenServiceKinds] & { readonly kind: string };

export type WrittenProducer = z.output<z.ZodObject<typeof producerFields>> & WrittenProducerExtensions;

/** The core sections as written. */
export interface CoreFields {
  name: string;
  description?: string | undefined;
  seed: number;
  duration: number;
  quiesce: number;
  sites: Record<string, z.output<typeof siteSchema>>;
  links: z.output<typeof linkSchema>[];
  services: Record<string, WrittenService>;
  workload: Record<string, WrittenProducer>;
  faults: WrittenFault[];
  checks: string[];
  nemesis?: WrittenNemesis | undefined;
  liveness?: z.output<typeof livenessSchema> | undefined;
  plugins: string[];
}

export type ScenarioFields = CoreFields & Partial<WrittenSections>;
