import { defineSignal } from '@temporalio/workflow';
import type { JobSpec } from '../catalog/job-schema';
import type { PartitionReport } from './fanout-definitions';

/**
 * What a partition run and its fan-out exchange, without zod: a partition loads this module,
 * not the fan-out's schemas (each workflow run evaluates the modules it imports afresh, and
 * a fan-out starts thousands of partitions; `npm run bench:workflow-start`).
 */

/** Sent by each partition run to its fan-out (by workflow id: it reaches the current run after a continue-as-new). */
export const partitionDoneSignal = defineSignal<[PartitionReport]>('partitionDone');

/**
 * A partition's input, built by its fan-out from the fan-out's validated input: the item job
 * is already in its parsed form (durations in ms, defaults filled), so the partition does not
 * validate it again.
 */
export interface PartitionRunInput {
  /** The fan-out job's name, for logs. */
  fanout: string;
  businessDate: string;
  key: string;
  /** 1, then one more per `retry-partitions` round that reruns this key. */
  attempt: number;
  /**
   * `<fan-out run id>/<key>`, the same in every round: what the work keys its effects to
   * (runOnce), so a rerun of a partition that failed half-way skips the steps it finished.
   */
  runKey: string;
  item: { name: string; job: JobSpec };
}
