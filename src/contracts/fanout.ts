/**
 * The run contract of a fan-out: its run input (parsed), what it and its partition batches
 * exchange (fanoutWorkflow ↔ runPartitions), its state and result. Plain types and message
 * definitions, importing nothing of the project; the schema checking the input is
 * src/catalog/compile/fanout-input.ts.
 */
import { defineQuery } from '@temporalio/workflow';
import type { EventRouting } from './events';
import type { ActivityWork, JobSpec, Ms } from './job';

/** Where the keys come from: a list in the input, or read in pages by the partitionPage activity. */
export type PartitionSource =
  | { kind: 'items'; items: string[] }
  | { kind: 'sql'; query: string }
  | { kind: 'command'; command: string[]; cwd?: string | undefined; env: Record<string, string> }
  | { kind: 'activity'; activity: ActivityWork };

/** One failed partition as a fan-out keeps it: enough to retry and act on it. */
export interface PartitionFailure {
  key: string;
  attempt: number;
  errorType: string;
  error: string;
}

export interface FanoutRun {
  /** The fan-out job's name (or the jobnet step's): `JobName` of the run. */
  name: string;
  businessDate: string;
  source: PartitionSource;
  /** The job each partition runs, under its catalog name. */
  item: { name: string; job: JobSpec };
  maxParallel: number;
  batchSize?: number | undefined;
  queue?: string | undefined;
  deadline?: Ms | undefined;
  runbooks: Record<string, string>;
  notify?: EventRouting | undefined;
  announceAs?: string | undefined;
  continueAsNewAfter: number;
  /** Set by `jobnet retry-partitions`: only these keys run, and the totals of the earlier rounds are kept. */
  retry?:
    | {
        keys: Array<{ key: string; attempt: number }>;
        previous: { total: number; succeeded: number; failures: PartitionFailure[]; failuresNotKept: number; startTime: string };
      }
    | undefined;
}

/**
 * What a fan-out run hands to the next when it continues as new: where it is in its keys and
 * what it has counted so far. Written by the run itself, so the next takes it as it is.
 */
export interface FanoutCarry {
  startTime: string;
  roundStart: string;
  /** Next read: the last key read (key sources), the index into the list (items, retry keys). */
  cursor: { after: string | null; position: number };
  sourceDone: boolean;
  buffer: PartitionKey[];
  total: number | null;
  seen: number;
  succeeded: number;
  failed: number;
  failures: PartitionFailure[];
  failuresNotKept: number;
  warnings: string[];
  warned: { projection: boolean; passed: boolean };
  alerts: number;
  continuedAsNew: number;
  sourceError: string | null;
}

export interface PartitionKey {
  key: string;
  /** 1 for the first round; `jobnet retry-partitions` runs a key again as 2, 3, … */
  attempt: number;
}

/**
 * What a batch needs of the item job to run a key: its work, time-out and immediate retries.
 * Its description, alerts, locks and the rest are the fan-out's business and stay out of every
 * batch's input (with one key per batch, that input is sent, stored and encrypted per key).
 */
export type PartitionJob = Pick<JobSpec, 'command' | 'activity' | 'cwd' | 'env' | 'timeout' | 'killGrace' | 'retry' | 'safeToRepeat'>;

export function partitionJob(job: PartitionJob): PartitionJob {
  const { command, activity, cwd, env, timeout, killGrace, retry, safeToRepeat } = job;
  return {
    ...(command === undefined ? {} : { command }),
    ...(activity === undefined ? {} : { activity }),
    ...(cwd === undefined ? {} : { cwd }),
    env,
    timeout,
    killGrace,
    retry,
    safeToRepeat,
  };
}

export interface PartitionBatchRequest {
  /** The fan-out's name (its JobName), for logs. */
  fanout: string;
  businessDate: string;
  /** The fan-out's workflow id: a key's run key is `<fan-out id>/<key>`, the same in every round. */
  fanoutId: string;
  /** The job each key runs, under its catalog name; the key reaches it as JOBNET_ITEM or args.item. */
  item: { name: string; job: PartitionJob };
  keys: PartitionKey[];
  /** Keys running at once in this batch. */
  concurrency: number;
}

/**
 * One key's outcome. Only what the fan-out cannot derive, and nothing empty: with one key per
 * batch a report is sent, stored and encrypted per partition. (Reports of earlier workers
 * also carry the key's run id and nulls for the fields left out; both read alike.)
 */
export interface PartitionReport {
  key: string;
  attempt: number;
  ok: boolean;
  /** A failed key's error type (it selects the runbook) and message. */
  errorType?: string | null | undefined;
  error?: string | null | undefined;
  recordCount?: number | null | undefined;
  /** Attempts of the job's work for this key (immediate retries included). */
  tries: number;
}

export interface PartitionBatchResult {
  reports: PartitionReport[];
}

/** How logs, alerts and `jobnet status` name a partition's run: `<fan-out id>/<key>`, `#<attempt>` from round 2. */
export function partitionRunId(fanoutId: string, item: PartitionKey): string {
  return `${fanoutId}/${item.key}${item.attempt > 1 ? `#${item.attempt}` : ''}`;
}

/** `partial`: some partitions failed, the others succeeded; `error`: none succeeded, or the source failed. */
export const FANOUT_STATUSES = ['running', 'success', 'partial', 'error'] as const;
export type FanoutStatus = (typeof FANOUT_STATUSES)[number];

/** The workflow failure type of a run that ended partial or error; its details hold the FanoutResult. */
export const FANOUT_PARTIAL = 'FanoutPartial';
export const FANOUT_FAILED = 'FanoutFailed';

/** Failed partitions listed in the state and result; beyond, they are counted (payloads stay well under 2 MB). */
export const MAX_FAILURES_KEPT = 5_000;

/** A failure as the run reports it: with its run id (`<fan-out id>/<key>#n`) and the runbook of its error type. */
export interface PartitionFailureEvent extends PartitionFailure {
  runId: string;
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
  /** Partitions in the batches in flight. */
  running: number;
  /** Partitions per second since the start (succeeded and failed). */
  rate: number;
  deadline: string | null;
  projectedFinish: string | null;
  failures: FailureGroup[];
  warnings: string[];
  continuedAsNew: number;
  /** 1 for the first run, then one more per `retry-partitions`. */
  round: number;
}

export interface FanoutResult extends FanoutState {
  workflowId: string;
  runId: string;
  failedPartitions: PartitionFailureEvent[];
  failuresNotKept: number;
  /** The run's input without retry, so `retry-partitions` can start the next round without the catalog. */
  input: FanoutRun;
}

/** The live state: `jobnet status <run>`, the Web UI's query tab. */
export const fanoutStateQuery = defineQuery<FanoutState>('fanoutState');
