import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import type { FanoutRunInput, PartitionFailure } from '../catalog/fanout-input';

/**
 * What a fan-out run shows and reports, defined once for fanoutWorkflow, partitionWorkflow and
 * the clients (`jobnet status`, `jobnet retry-partitions`, tests) that read it.
 */

/** `partial`: some partitions failed, the others succeeded; `error`: none succeeded, or the source failed. */
export const FANOUT_STATUSES = ['running', 'success', 'partial', 'error'] as const;
export type FanoutStatus = (typeof FANOUT_STATUSES)[number];

/** The workflow failure type of a run that ended partial or error; its details hold the FanoutResult. */
export const FANOUT_PARTIAL = 'FanoutPartial';
export const FANOUT_FAILED = 'FanoutFailed';

/** What a partition run reports to its fan-out when it ends (signal), and returns. */
export const partitionReportSchema = z.object({
  workflowId: z.string(),
  key: z.string(),
  attempt: z.number(),
  ok: z.boolean(),
  errorType: z.string().nullable(),
  error: z.string().nullable(),
  recordCount: z.number().nullable(),
  /** Attempts of the job's work inside this partition run (immediate retries included). */
  tries: z.number(),
});
export type PartitionReport = z.infer<typeof partitionReportSchema>;

export { partitionFailureSchema, type PartitionFailure } from '../catalog/fanout-input';

/** A failure event as the run reports it: the failure with its run and the runbook of its error type. */
export interface PartitionFailureEvent extends PartitionFailure {
  workflowId: string;
  runbookUrl: string | null;
}

export interface FailureGroup {
  errorType: string;
  count: number;
  runbookUrl: string | null;
  /** The first keys of the group (all of them up to a limit). */
  keys: string[];
}

export interface FanoutState {
  name: string;
  businessDate: string;
  status: FanoutStatus;
  startTime: string;
  endTime: string | null;
  /** Partitions in all; null while the source is still being read (then `seen` so far). */
  total: number | null;
  seen: number;
  succeeded: number;
  failed: number;
  running: number;
  /** Partitions per second since the start (succeeded and failed). */
  rate: number;
  deadline: string | null;
  /** When the run ends at the current rate; null before the first partition ended. */
  projectedFinish: string | null;
  /** Failures by error type, each with its runbook. */
  failures: FailureGroup[];
  /** Warnings raised (deadline), in order. */
  warnings: string[];
  /** How often the run continued as new so far (history kept short). */
  continuedAsNew: number;
  /** 1 for the first run, then one more per `retry-partitions`. */
  round: number;
}

export interface FanoutResult extends FanoutState {
  workflowId: string;
  runId: string;
  /** Every failed partition (up to MAX_FAILURES_KEPT), for retry-partitions, each with its runbook. */
  failedPartitions: PartitionFailureEvent[];
  /** Failed partitions beyond those kept (counted, not listed). */
  failuresNotKept: number;
  /** The run's input without retry, so `retry-partitions` can start the next round without the catalog. */
  input: FanoutRunInput;
}

/** Failed partitions listed in the state and result; beyond, they are counted (payloads stay well under 2 MB). */
export const MAX_FAILURES_KEPT = 5_000;

/** The live state: `jobnet status <run>`, the Web UI's query tab. */
export const fanoutStateQuery = defineQuery<FanoutState>('fanoutState');
export { partitionDoneSignal } from './fanout-signals';

/** Failures grouped by error type, largest group first, each listing at most `keysPerGroup` keys. */
export function groupFailures(
  failures: readonly PartitionFailure[],
  runbooks: Readonly<Record<string, string>>,
  extra = 0,
  keysPerGroup = 20,
): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const failure of failures) {
    const runbookUrl = Object.hasOwn(runbooks, failure.errorType) ? runbooks[failure.errorType]! : null;
    const group = groups.get(failure.errorType) ?? { errorType: failure.errorType, count: 0, runbookUrl, keys: [] };
    group.count++;
    if (group.keys.length < keysPerGroup) group.keys.push(failure.key);
    groups.set(failure.errorType, group);
  }
  const list = [...groups.values()].sort((a, b) => b.count - a.count || a.errorType.localeCompare(b.errorType));
  if (extra > 0) list.push({ errorType: '(not kept)', count: extra, runbookUrl: null, keys: [] });
  return list;
}

/**
 * The lines `jobnet status <run>` prints for a fan-out run (state from the query, or a
 * finished run's result): progress, rate, deadline, failures by type with their runbooks.
 */
export function fanoutStatusLines(state: FanoutState): string[] {
  const total = state.total ?? state.seen;
  const pending = Math.max(0, total - state.succeeded - state.failed - state.running);
  const of = state.total === null ? `${total}+ so far` : String(total);
  const lines = [
    `${state.name} (${state.businessDate}): ${state.status} — ${state.succeeded + state.failed}/${of} partitions done: ` +
      `${state.succeeded} succeeded, ${state.failed} failed, ${state.running} running, ${pending} pending; ${state.rate.toFixed(1)}/s` +
      (state.round > 1 ? `; round ${state.round}` : ''),
  ];
  if (state.deadline !== null || state.projectedFinish !== null) {
    lines.push(`  deadline ${state.deadline ?? '(none)'}, projected finish ${state.projectedFinish ?? '(not yet known)'}`);
  }
  for (const warning of state.warnings) lines.push(`  warning: ${warning}`);
  for (const group of state.failures) {
    const keys = group.keys.length < group.count ? `${group.keys.join(', ')}, …` : group.keys.join(', ');
    lines.push(`  failed ${group.errorType} ×${group.count}${group.runbookUrl ? ` (runbook ${group.runbookUrl})` : ''}${keys ? `: ${keys}` : ''}`);
  }
  return lines;
}
