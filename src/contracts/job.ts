/**
 * The run contract of a job: what a job run takes (parsed — durations in milliseconds, defaults
 * filled), what it reports, and its query. Plain types and message definitions, importing
 * nothing of the project; the zod schemas that check values against them at the boundaries
 * live in src/catalog/schema/job-schema.ts (which asserts they describe exactly these types).
 */
import { defineQuery } from '@temporalio/workflow';
import { EVENT_TYPES, type EventRouting, type EventType } from './events';

/** Milliseconds. */
export type Ms = number;

export interface RetryPolicy {
  /** Total immediate attempts, the first one included (1 = no immediate retry). */
  attempts: number;
  interval: Ms;
  /** Multiplier applied to the interval after each failed attempt (1 = fixed interval). */
  backoff: number;
  maxInterval?: Ms | undefined;
  /** `exit:<code>` entries and error type names no retry can fix. */
  nonRetryable: string[];
}

export interface DelayedRetryPolicy {
  /** How long after the immediate retries are exhausted the one delayed run starts. */
  after: Ms;
  /** A warning when this many runs of one month needed their delayed retry (seed 000). */
  monthlyThreshold?: number | undefined;
}

export interface ActivityWork {
  /** An activity registered in the worker, called with JobActivityInput. */
  name: string;
  args: Record<string, unknown>;
}

export type LockPolicy = 'wait' | 'fail-fast';

export interface LockUse {
  name: string;
  policy: LockPolicy;
  maxWait: Ms;
}

export interface AfterUse {
  /** A job or jobnet of another schedule that must have succeeded for the same business date. */
  job: string;
  maxWait: Ms;
}

/** A job as a run does it: its work (exactly one of command and activity), its bounds, retries and what it coordinates with. */
export interface JobSpec {
  description?: string | undefined;
  /** argv, run without a shell; argv, env and cwd as the catalog writes them (`${VAR}` resolved on the worker). */
  command?: string[] | undefined;
  activity?: ActivityWork | undefined;
  cwd?: string | undefined;
  env: Record<string, string>;
  queue?: string | undefined;
  host?: string | undefined;
  timeout: Ms;
  killGrace: Ms;
  heartbeatTimeout: Ms;
  startWithin?: Ms | undefined;
  retry: RetryPolicy;
  delayedRetry?: DelayedRetryPolicy | undefined;
  warnAfter?: Ms | undefined;
  expect?: { minRecordRatio: number } | undefined;
  consecutiveFailures?: { alertAt: number; repeatEvery?: number | undefined } | undefined;
  /** false: a lost worker fails the job as `worker-lost` instead of running it again. */
  safeToRepeat: boolean;
  locks: LockUse[];
  after: AfterUse[];
  /** The name this run's success is announced under to runs waiting on it with `after`. */
  announceAs?: string | undefined;
}

/** One run of a job for one business date: jobWorkflow's input, and a jobnet step's run. */
export interface JobRun {
  name: string;
  businessDate: string;
  job: JobSpec;
  /** Where the run's events go; absent: nowhere. */
  notify?: EventRouting | undefined;
}

export const JOB_STATUSES = ['running', 'waiting-lock', 'waiting-after', 'waiting-retry', 'success', 'error', 'timeout', 'worker-lost', 'cancelled'] as const;
export type JobStatusValue = (typeof JOB_STATUSES)[number];

/** Events of a jobnet as a whole, never noted by a job run. */
const JOBNET_ONLY_EVENT_TYPES = ['waiting_operator'] as const;
/** Facts a job run notes beyond the events it raises (events.ts): in its result, never routed. */
const JOB_PROGRESS_EVENT_TYPES = ['lock_acquired', 'after_satisfied'] as const;

export type JobEventType = Exclude<EventType, (typeof JOBNET_ONLY_EVENT_TYPES)[number]> | (typeof JOB_PROGRESS_EVENT_TYPES)[number];

/** What a job run notes: the event types of events.ts (one list), less the jobnet's own, plus its progress facts. */
export const JOB_EVENT_TYPES: [JobEventType, ...JobEventType[]] = [
  ...JOB_PROGRESS_EVENT_TYPES,
  ...EVENT_TYPES.filter(
    (type): type is Exclude<EventType, (typeof JOBNET_ONLY_EVENT_TYPES)[number]> => !(JOBNET_ONLY_EVENT_TYPES as readonly string[]).includes(type),
  ),
];

export interface JobEvent {
  type: JobEventType;
  at: string;
  attempt?: number | undefined;
  error?: string | undefined;
  errorType?: string | undefined;
  retryAt?: string | undefined;
  lock?: string | undefined;
  /** Time spent waiting for a lock or a predecessor, in milliseconds. */
  waitedMs?: number | undefined;
  /** For after_satisfied: the job waited for, and the workflow id of its successful run. */
  predecessor?: string | undefined;
  by?: string | undefined;
  /** For the checks' alerts: what the alert said. */
  message?: string | undefined;
}

export interface JobResult {
  name: string;
  businessDate: string;
  workflowId: string;
  runId: string;
  status: JobStatusValue;
  startTime: string;
  endTime: string;
  /** Attempts made in all, the delayed one included. */
  attempts: number;
  delayedRetry: boolean;
  exitCode: number | null;
  recordCount: number | null;
  host: string | null;
  output: string;
  error: string | null;
  errorType: string | null;
  events: JobEvent[];
}

/** What a run waits for now (a lock, or another schedule's run), and since when. */
export type Waiting = { kind: 'lock'; lock: string; since: string } | { kind: 'after'; job: string; since: string };

export interface JobState {
  name: string;
  businessDate: string;
  status: JobStatusValue;
  attempts: number;
  events: JobEvent[];
  waiting: Waiting | null;
}

/** The live state of a job run: `jobnet status <run>` and the Web UI's query tab. */
export const jobStateQuery = defineQuery<JobState>('state');
