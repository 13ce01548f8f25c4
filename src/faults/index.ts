/**
 * Faults: declarative schedules of failures applied to the world.
 */
export * from './schedule.ts';
