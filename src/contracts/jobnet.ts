/**
 * The run contract of a jobnet: its run input (parsed, steps carrying their jobs' parsed
 * specs), its state and result, and what an operator sends it. Plain types and message
 * definitions, importing nothing of the project; the schemas checking them are in
 * src/catalog/compile/jobnet-input.ts and src/workflows/jobnet-definitions.ts.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { EventRouting } from './events';
import type { FanoutRun } from './fanout';
import type { JobSpec, JobStatusValue, Ms } from './job';

export type When = 'success' | 'failed' | 'always';
export type OnFailure = 'stop' | 'continue' | 'wait';

/** A step: exactly one of a job (run inline or as a child), a nested jobnet, a fan-out. */
export interface JobnetStepRun {
  job?: JobSpec | undefined;
  jobnet?: NestedJobnetRun | undefined;
  /** A fan-out step: the fan-out's run input without its business date (the jobnet run's). */
  fanout?: Omit<FanoutRun, 'businessDate'> | undefined;
  needs: string[];
  when: When;
  onFailure: OnFailure;
  enabled: boolean;
  notify?: EventRouting | undefined;
  /** The catalog job the step uses (`use:`): its runs are found under that name too. */
  uses?: string | undefined;
}

/** A jobnet's run less what its parent supplies (the business date). */
export interface NestedJobnetRun {
  name: string;
  steps: Record<string, JobnetStepRun>;
  operatorMaxWait: Ms;
  announceAs?: string | undefined;
  notify?: EventRouting | undefined;
  /** How a job step runs: inline in this run's history (the default), or as a child jobWorkflow. */
  stepRuns: 'inline' | 'child';
  /** The whole run should be over this long after its start; past it, a critical `sla_warning` (the run goes on). */
  deadline?: Ms | undefined;
}

export interface JobnetRun extends NestedJobnetRun {
  businessDate: string;
}

export const STEP_STATUSES = ['pending', 'waiting-dependency', 'running', 'succeeded', 'failed', 'skipped', 'waiting-operator', 'not-run'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** A step in one of these has its final outcome unless an operator acts on a waiting one. */
export const SETTLED_STATUSES: readonly StepStatus[] = ['succeeded', 'failed', 'skipped', 'not-run'];

export interface StepState {
  status: StepStatus;
  /** How many times its job was started: 1, then one more per operator retry. */
  attempts: number;
  /** The run of its latest attempt: `<jobnet run>/<step>`, `…#2` for the second. */
  workflowId: string | null;
  startTime: string | null;
  endTime: string | null;
  waitingSince: string | null;
  /** The status of the latest attempt's job run. */
  jobStatus: JobStatusValue | null;
  exitCode: number | null;
  recordCount: number | null;
  error: string | null;
  errorType: string | null;
  reason: string | null;
  /** What its job waits for now (a lock, another schedule's run), while it runs. */
  waiting: { kind: 'lock' | 'after'; lock?: string | undefined; job?: string | undefined; since: string } | null;
  /** Its latest run took its delayed retry. */
  delayedRetry: boolean;
  /** The catalog job the step uses (`use:`), under which its runs are found too. */
  uses: string | null;
  /** A job (run inline or as a child run), or a nested jobnet or fan-out (always a run of its own). */
  kind: StepKind;
  /** Held by an operator before it started: it does not start until released. */
  held: { since: string; by: string | null; reason: string | null } | null;
}

export type StepKind = 'job' | 'jobnet' | 'fanout';

export const OPERATOR_ACTIONS = ['retry', 'skip', 'abort', 'hold', 'release', 'force', 'rerun'] as const;

export interface OperatorAction {
  at: string;
  action: (typeof OPERATOR_ACTIONS)[number];
  /** How it reached the run: an Update, a Signal, or with the run's start (a rerun). */
  via: 'update' | 'signal' | 'start';
  job?: string | undefined;
  reason?: string | undefined;
  /** Who acted: the identity of the client that sent it (the CLI's user@host); absent from a Web UI signal that does not say. */
  by?: string | undefined;
  /** A forced end: how the step was made to end. */
  outcome?: ForcedOutcome | undefined;
  accepted: boolean;
  /** Why a signal was ignored. */
  note?: string | undefined;
}

export type JobnetStatus = 'running' | 'success' | 'failed' | 'aborted';

export interface JobnetState {
  name: string;
  businessDate: string;
  status: JobnetStatus;
  reason: string | null;
  startTime: string;
  endTime: string | null;
  steps: Record<string, StepState>;
  operatorActions: OperatorAction[];
  /** When the run should be over (its start + `deadline`), if it has one. */
  deadline: string | null;
  /** What went wrong without failing the run: its deadline passed while it was still going. */
  warnings: string[];
}

/** A finished run: its state, with where it ran. A failed or aborted run carries it in its failure's details. */
export interface JobnetResult extends JobnetState {
  status: 'success' | 'failed' | 'aborted';
  workflowId: string;
  runId: string;
  endTime: string;
}

/** The failure type of a failed or aborted jobnet run (non-retryable; details: [JobnetResult]). */
export const JOBNET_FAILED = 'JobnetFailed';

/**
 * The body of retry, skip, hold and release, as an operator types it in the Web UI:
 * `{ "job": "BATCH-001" }`, with why and who when they say (the CLI always does).
 */
export interface StepAction {
  job: string;
  reason?: string | undefined;
  by?: string | undefined;
}

/** The body of abort: `{ "reason": "…" }`. */
export interface AbortAction {
  reason?: string | undefined;
  by?: string | undefined;
}

export type ForcedOutcome = 'succeeded' | 'failed';

/** The body of force: a running step made to end now as `outcome`, its work stopped; the reason is required. */
export interface ForceAction {
  job: string;
  outcome: ForcedOutcome;
  reason: string;
  by?: string | undefined;
}

/** The live state of a jobnet run. */
export const jobnetStateQuery = defineQuery<JobnetState>('jobnetState');

/** Operator actions as Updates: refused (with the reason) when they do not apply, else answered with the new state. */
export const retryStepUpdate = defineUpdate<JobnetState, [StepAction]>('retryStep');
export const skipStepUpdate = defineUpdate<JobnetState, [StepAction]>('skipStep');
export const abortJobnetUpdate = defineUpdate<JobnetState, [AbortAction]>('abortJobnet');
export const holdStepUpdate = defineUpdate<JobnetState, [StepAction]>('holdStep');
export const releaseStepUpdate = defineUpdate<JobnetState, [StepAction]>('releaseStep');
export const forceStepUpdate = defineUpdate<JobnetState, [ForceAction]>('forceStep');

/** The same actions as Signals, for the Web UI's signal form; one that does not apply is recorded as ignored. */
export const retrySignal = defineSignal<[StepAction]>('retry');
export const skipSignal = defineSignal<[StepAction]>('skip');
export const abortSignal = defineSignal<[AbortAction]>('abort');
export const holdSignal = defineSignal<[StepAction]>('hold');
export const releaseSignal = defineSignal<[StepAction]>('release');
export const forceSignal = defineSignal<[ForceAction]>('force');
