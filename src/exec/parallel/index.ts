/**
 * Parallel simulation across worker threads: bit-identical to one thread, faster when the
 * lookahead leaves each window enough work (see run-parallel.ts).
 */
export { executeParallel, type ParallelOptions, type ParallelResult, type ParallelStats } from './run-parallel.ts';
export { PartitionPool } from './partition-thread.ts';
export { planPartitions, PartitionPlanError, type PartitionBy, type PartitionInfo, type PartitionPlan } from './plan.ts';
