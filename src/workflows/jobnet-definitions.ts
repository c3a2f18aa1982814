import { z } from 'zod';
import { jobStatusSchema } from '../catalog/schema/run-result';
import { sameType } from '../validation/same-type';
import {
  OPERATOR_ACTIONS,
  STEP_STATUSES,
  type AbortAction,
  type ForceAction,
  type JobnetResult,
  type JobnetState,
  type OperatorAction,
  type StepAction,
  type StepState,
} from '../contracts/jobnet';

// The contract (types, queries, updates, signals) is src/contracts/jobnet.ts; these schemas check
// what arrives from outside (operators' signal bodies, a continued run's carried state).
export {
  JOBNET_FAILED,
  SETTLED_STATUSES,
  STEP_STATUSES,
  OPERATOR_ACTIONS,
  abortJobnetUpdate,
  abortSignal,
  forceSignal,
  forceStepUpdate,
  holdSignal,
  holdStepUpdate,
  releaseSignal,
  releaseStepUpdate,
  jobnetStateQuery,
  retrySignal,
  retryStepUpdate,
  skipSignal,
  skipStepUpdate,
  type AbortAction,
  type ForceAction,
  type ForcedOutcome,
  type JobnetResult,
  type JobnetState,
  type JobnetStatus,
  type OperatorAction,
  type StepAction,
  type StepState,
  type StepStatus,
} from '../contracts/jobnet';

/**
 * What a jobnet run shows and what an operator can do to it, defined once for jobnetWorkflow
 * and for the clients (CLI, tests, operators reading the Web UI) that use them.
 */

export const stepStatusSchema = z.enum(STEP_STATUSES);

export const stepStateSchema = z.object({
  status: stepStatusSchema,
  /** How many times its job was started: 1, then one more per operator retry. */
  attempts: z.number(),
  /**
   * The run of its latest attempt: `<jobnet run>/<step>`, `…#2` for the second — a child run's
   * workflow id, or for a step run inline the id its run log line and events carry.
   */
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
  /** What its job waits for now (a lock, another schedule's run), while it runs. */
  waiting: z
    .object({ kind: z.enum(['lock', 'after']), lock: z.string().optional(), job: z.string().optional(), since: z.string() })
    .nullable()
    .default(null),
  /** Its latest run took its delayed retry. */
  delayedRetry: z.boolean().default(false),
  /** The catalog job the step uses (`use:`), under which its runs are found too. */
  uses: z.string().nullable().default(null),
  kind: z.enum(['job', 'jobnet', 'fanout']).default('job'),
  /** Held by an operator before it started (absent from runs recorded before holds existed). */
  held: z.object({ since: z.string(), by: z.string().nullable(), reason: z.string().nullable() }).nullable().default(null),
});
sameType<z.output<typeof stepStateSchema>, StepState>(true);

/**
 * The operator actions the run took, and the signals it ignored (with why), so the run says
 * what was done to it. A refused update is answered to its sender and leaves no trace here.
 */
export const operatorActionSchema = z.object({
  at: z.string(),
  action: z.enum(OPERATOR_ACTIONS),
  via: z.enum(['update', 'signal', 'start']),
  job: z.string().optional(),
  reason: z.string().optional(),
  by: z.string().optional(),
  outcome: z.enum(['succeeded', 'failed']).optional(),
  accepted: z.boolean(),
  /** Why a signal was ignored. */
  note: z.string().optional(),
});
sameType<z.output<typeof operatorActionSchema>, OperatorAction>(true);

export const jobnetStatusSchema = z.enum(['running', 'success', 'failed', 'aborted']);

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
  /** Absent from the results of runs from before jobnets had deadlines. */
  deadline: z.string().nullable().default(null),
  warnings: z.array(z.string()).default([]),
});
sameType<z.output<typeof jobnetStateSchema>, JobnetState>(true);

/** A finished run: its state, with where it ran. A failed or aborted run carries it in its failure's details. */
export const jobnetResultSchema = jobnetStateSchema.extend({
  status: z.enum(['success', 'failed', 'aborted']),
  workflowId: z.string(),
  runId: z.string(),
  endTime: z.string(),
});
sameType<z.output<typeof jobnetResultSchema>, JobnetResult>(true);

/**
 * The body of retry and skip, as an operator types it in the Web UI's signal or update form:
 * `{ "job": "BATCH-001" }`.
 */
const stepName = z.string().min(1, 'name the step: { "job": "<step>" }');
/** Who acted, as the sender says (the CLI sends its client identity). */
const by = z.string().min(1).max(200).optional();
export const stepActionSchema = z.strictObject({ job: stepName, reason: z.string().min(1).max(1_000).optional(), by });
sameType<z.output<typeof stepActionSchema>, StepAction>(true);

/** The body of abort: `{ "reason": "…" }`. The reason lands in the run's result. */
export const abortActionSchema = z.strictObject({ reason: z.string().min(1).optional(), by });
sameType<z.output<typeof abortActionSchema>, AbortAction>(true);

/** The body of force: `{ "job": "<step>", "outcome": "succeeded" | "failed", "reason": "…" }`. */
export const forceActionSchema = z.strictObject({
  job: stepName,
  outcome: z.enum(['succeeded', 'failed'], { message: 'outcome is "succeeded" or "failed"' }),
  reason: z.string().min(1, 'say why: { "reason": "…" }').max(1_000),
  by,
});
sameType<z.output<typeof forceActionSchema>, ForceAction>(true);

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
  /** The warnings so far; the deadline's is raised once per run, whichever of its continued runs it passes in. */
  warnings: z.array(z.string()).optional(),
  deadlinePassed: z.boolean().optional(),
  /**
   * A rerun of an ended run (`jobnet rerun`), not a continue-as-new: its steps to run again are
   * pending with their attempts counted on, so each gets a run id of its own.
   */
  rerunOf: z.string().optional(),
});
export type JobnetCarry = z.infer<typeof jobnetCarrySchema>;

/** A step that has not run yet: also the blank a (re)started step's outcome is cleared to. */
export function initialStepState(needs: readonly string[]): StepState {
  return {
    waiting: null,
    delayedRetry: false,
    uses: null,
    kind: 'job',
    status: needs.length === 0 ? 'pending' : 'waiting-dependency',
    attempts: 0,
    workflowId: null,
    startTime: null,
    endTime: null,
    waitingSince: null,
    jobStatus: null,
    exitCode: null,
    recordCount: null,
    error: null,
    errorType: null,
    reason: null,
    held: null,
  };
}
