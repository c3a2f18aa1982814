import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { jobStatusSchema } from '../catalog/run-result';

/**
 * What a jobnet run shows and what an operator can do to it, defined once for jobnetWorkflow
 * and for the clients (CLI, tests, operators reading the Web UI) that use them.
 */

export const STEP_STATUSES = [
  /** Its needs are settled and its rule is met; its job is about to start (again, after a retry). */
  'pending',
  /** Some of its needs have not settled yet. */
  'waiting-dependency',
  'running',
  'succeeded',
  /** Its job failed (after the job's own retries), or an operator's wait ended without a decision. */
  'failed',
  /** An operator skipped it while it waited: its dependants take it as succeeded. */
  'skipped',
  /** Its job failed with `onFailure: wait`: an operator may retry, skip or abort. */
  'waiting-operator',
  /** Its rule (`when`) was not met, or the jobnet was stopping or aborted: it never started. */
  'not-run',
] as const;
export const stepStatusSchema = z.enum(STEP_STATUSES);
export type StepStatus = z.infer<typeof stepStatusSchema>;

/** A step in one of these has its final outcome unless an operator acts on a waiting one. */
export const SETTLED_STATUSES: readonly StepStatus[] = ['succeeded', 'failed', 'skipped', 'not-run'];

export const stepStateSchema = z.object({
  status: stepStatusSchema,
  /** How many times its job was started: 1, then one more per operator retry. */
  attempts: z.number(),
  /** The child run of its latest attempt: `<jobnet run>/<step>`, `…#2` for the second. */
  workflowId: z.string().nullable(),
  /** Workflow time (ISO) its first attempt started, and its outcome was reached. */
  startTime: z.string().nullable(),
  endTime: z.string().nullable(),
  /**
   * When its latest wait for an operator began (the wait ends by this + operatorMaxWait); kept
   * after the wait, so the run shows how long it lasted, until the step runs again.
   */
  waitingSince: z.string().nullable(),
  /** The status of the latest attempt's job run. */
  jobStatus: jobStatusSchema.nullable(),
  exitCode: z.number().nullable(),
  recordCount: z.number().nullable(),
  error: z.string().nullable(),
  errorType: z.string().nullable(),
  /** Why it is where it is, when that is not obvious: not run because …, skipped by an operator, … */
  reason: z.string().nullable(),
});
export type StepState = z.infer<typeof stepStateSchema>;

export const OPERATOR_ACTIONS = ['retry', 'skip', 'abort'] as const;

/**
 * The operator actions the run took, and the signals it ignored (with why), so the run says
 * what was done to it. A refused update is answered to its sender and leaves no trace here.
 */
export const operatorActionSchema = z.object({
  at: z.string(),
  action: z.enum(OPERATOR_ACTIONS),
  via: z.enum(['update', 'signal']),
  job: z.string().optional(),
  reason: z.string().optional(),
  accepted: z.boolean(),
  /** Why a signal was ignored. */
  note: z.string().optional(),
});
export type OperatorAction = z.infer<typeof operatorActionSchema>;

export const jobnetStatusSchema = z.enum(['running', 'success', 'failed', 'aborted']);
export type JobnetStatus = z.infer<typeof jobnetStatusSchema>;

export const jobnetStateSchema = z.object({
  name: z.string(),
  businessDate: z.string(),
  status: jobnetStatusSchema,
  /**
   * Why the run fails or failed (a step failed with `onFailure: stop`, an operator's wait timed
   * out, an abort). Set while still running, it means: no new steps except error branches.
   */
  reason: z.string().nullable(),
  startTime: z.string(),
  endTime: z.string().nullable(),
  /** In the order of the input. */
  steps: z.record(z.string(), stepStateSchema),
  operatorActions: z.array(operatorActionSchema),
});
export type JobnetState = z.infer<typeof jobnetStateSchema>;

/** A finished run: its state, with where it ran. A failed or aborted run carries it in its failure's details. */
export const jobnetResultSchema = jobnetStateSchema.extend({
  status: z.enum(['success', 'failed', 'aborted']),
  workflowId: z.string(),
  runId: z.string(),
  endTime: z.string(),
});
export type JobnetResult = z.infer<typeof jobnetResultSchema>;

/** The failure type of a failed or aborted jobnet run (non-retryable; details: [JobnetResult]). */
export const JOBNET_FAILED = 'JobnetFailed';

/**
 * The body of retry and skip, as an operator types it in the Web UI's signal or update form:
 * `{ "job": "BATCH-001" }`.
 */
export const stepActionSchema = z.strictObject({ job: z.string().min(1, 'name the step: { "job": "<step>" }') });
export type StepAction = z.infer<typeof stepActionSchema>;

/** The body of abort: `{ "reason": "…" }`. The reason lands in the run's result. */
export const abortActionSchema = z.strictObject({ reason: z.string().min(1).optional() });
export type AbortAction = z.infer<typeof abortActionSchema>;

/** The live state of a jobnet run. */
export const jobnetStateQuery = defineQuery<JobnetState>('jobnetState');

/**
 * Operator actions as Updates: refused (with the reason) when the step is unknown or not
 * waiting for an operator, else they answer with the run's new state.
 */
export const retryStepUpdate = defineUpdate<JobnetState, [StepAction]>('retryStep');
export const skipStepUpdate = defineUpdate<JobnetState, [StepAction]>('skipStep');
/** Ends the run as aborted: waiting steps fail, nothing new starts, running steps finish. */
export const abortJobnetUpdate = defineUpdate<JobnetState, [AbortAction]>('abortJobnet');

/**
 * The same actions as Signals, for the Web UI's signal form. A signal cannot be refused: one
 * that does not apply is ignored and recorded in `operatorActions` with the reason.
 */
export const retrySignal = defineSignal<[StepAction]>('retry');
export const skipSignal = defineSignal<[StepAction]>('skip');
export const abortSignal = defineSignal<[AbortAction]>('abort');

/**
 * What a run hands on when it continues as new to keep its history bounded: the steps'
 * outcomes so far, taken only while no step's job is in flight (steps may wait for their needs
 * or for an operator). The continued run starts from here with the same input.
 */
export const jobnetCarrySchema = z.strictObject({
  startTime: z.string(),
  steps: z.record(z.string(), stepStateSchema),
  operatorActions: z.array(operatorActionSchema),
  /** Steps whose failure stopped the run: their error branches may still start. */
  stopCauses: z.array(z.string()),
  reason: z.string().nullable(),
  aborted: z.boolean(),
});
export type JobnetCarry = z.infer<typeof jobnetCarrySchema>;
