import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { formatDuration } from '../time/duration-format';
import type * as JobnetInput from '../catalog/compile/jobnet-input';
import type { JobnetRun, JobnetStepRun, StepKind } from '../contracts/jobnet';
import type { JobRun } from '../contracts/job';
import { jobResultSchema, type JobResult } from '../catalog/schema/run-result';
import { closest } from '../validation/suggest';
import { BusinessDate, JobName, JobStatus, StepJobs } from '../contracts/search-attributes';
import { parseWorkflowInput } from './input';
import { jobWorkflow } from './job';
import { checksUnroutedMade } from './job-alerts';
import { runJob } from './job-runner';
import { fanoutWorkflow } from './fanout';
import { emitEvent, type EmitOptions } from './emit-event';
import type { EventDraft } from '../events/event-schema';
import type { EventRouting } from '../catalog/schema/event-routing-schema';
import { announceSuccess } from './after-wait';
import { isRunCancelled, recordCancelled } from './cancelled-run';
import { isNotable, jobnetBoard } from './jobnet-board';
import {
  JOBNET_FAILED,
  SETTLED_STATUSES,
  abortActionSchema,
  abortJobnetUpdate,
  abortSignal,
  forceActionSchema,
  forceSignal,
  forceStepUpdate,
  holdSignal,
  holdStepUpdate,
  jobnetCarrySchema,
  jobnetStateQuery,
  releaseSignal,
  releaseStepUpdate,
  retrySignal,
  retryStepUpdate,
  skipSignal,
  skipStepUpdate,
  stepActionSchema,
  type AbortAction,
  type ForceAction,
  type JobnetCarry,
  type JobnetResult,
  type JobnetState,
  type OperatorAction,
  type StepAction,
  type StepState,
  type StepStatus,
  initialStepState,
} from './jobnet-definitions';
import { clip } from '../text/clip';
import { historyIsLong, nowIso } from './workflow-info';

/**
 * Past this many history events the run continues as new, at the first moment no step's job is
 * in flight. Temporal starts warning at 10,240 events and stops a run at 51,200; a step costs
 * the parent about ten events per attempt, so only jobnets of hundreds of steps or a long
 * stream of operator signals get here. (A run whose steps overlap without a pause keeps
 * growing until one: a child run cannot be handed over to the continued run.)
 */
export const CONTINUE_AS_NEW_AFTER_EVENTS = 8_000;
/** The patch marking runs that watch their deadline (see watchDeadline). */
const JOBNET_DEADLINE = 'jobnet-deadline';
/** Errors are the tail of a command's stderr; the state of a big jobnet must stay small. */
const MAX_ERROR_LENGTH = 2_000;
/** Operator actions kept in the state: the latest ones, so a stream of signals cannot grow it without end. */
const MAX_OPERATOR_ACTIONS = 100;
/** The events of a step's second run are numbered from here (its first run's from 0), so each is raised once. */
const STEP_RUN_EVENT_SEQ = 1_000;

/**
 * The workflow clock: in workflow code `Date` is Temporal's deterministic time (the time of the
 * current workflow task, the same on replay), not the host's.
 */
const workflowNow = (): Date => new Date();

/**
 * One run of a jobnet for one business date: its steps as a graph of child `jobWorkflow`s.
 * A step starts once its needs have settled and its `when` is met, as its own child run
 * `<this run's id>/<step>`, so independent branches run in parallel and each step's run has
 * its own history, retries and run-log line. How a failed step is answered is its
 * `onFailure`: stop the jobnet (error branches still run), continue, or wait for an operator.
 *
 * `carried` is only for the run's own continue-as-new.
 */
export async function jobnetWorkflow(input: JobnetRun, carried?: JobnetCarry): Promise<JobnetResult> {
  const run = runOf(input);
  const carry = carried === undefined ? undefined : checkCarry(run, parseWorkflowInput(jobnetCarrySchema, carried));
  const jobnet = new JobnetRunner(run, carry);
  const outcome = await jobnet.execute().catch(async (error: unknown) => {
    if (isRunCancelled(error)) await recordCancelled(() => jobnet.cancelled());
    throw error;
  });
  if (outcome.kind === 'continue') return continueAsNew<typeof jobnetWorkflow>(input, outcome.carry);
  return outcome.result;
}

type Outcome = { kind: 'done'; result: JobnetResult } | { kind: 'continue'; carry: JobnetCarry };

/**
 * The run input as its client parsed it. A run with a parent (a nested jobnet, a Schedule's
 * fire, its own continue-as-new) takes it as it is; any other is checked here first.
 */
function runOf(input: JobnetRun): JobnetRun {
  if (workflowInfo().parent !== undefined || workflowInfo().continuedFromExecutionRunId !== undefined) return input;
  const { jobnetRunSchema } = require('../catalog/compile/jobnet-input') as typeof JobnetInput;
  return parseWorkflowInput(jobnetRunSchema, input);
}

/** What a step's rule says once its needs are looked at. */
type Judgement = { kind: 'wait' } | { kind: 'run' } | { kind: 'not-run'; reason: string };

const isSettled = (status: StepStatus): boolean => SETTLED_STATUSES.includes(status);
/** Outcomes a `when: success` step accepts: an operator's skip counts as success. */
const isSuccess = (status: StepStatus): boolean => status === 'succeeded' || status === 'skipped';

class JobnetRunner {
  private readonly order: string[];
  private readonly states: Record<string, StepState>;
  private readonly startTime: string;
  /** Each step's needs, transitively: an error branch may still start after a stop only downstream of it. */
  private readonly upstream: Map<string, Set<string>>;
  private readonly operatorActions: OperatorAction[];
  /** Steps whose failure stopped the run. */
  private readonly stopCauses: Set<string>;
  private reason: string | null;
  private aborted: boolean;
  private readonly warnings: string[];
  /** The deadline's warning was raised (by this run or one it continued from). */
  private deadlinePassed: boolean;
  /** Steps that have their lifecycle going; each is started once per run. */
  private readonly launched = new Set<string>();
  /** Child runs in flight. */
  private inFlight = 0;
  /** Set by every change the main loop must look at. */
  private dirty = true;
  /** The outcome, once decided: operator actions are refused from then on. */
  private ended: { status: JobnetResult['status']; endTime: string } | undefined;
  /** A step's lifecycle threw (a bug, or the run's cancellation): the main loop rethrows it. */
  private crash: { error: unknown } | undefined;
  private publishedStatus: string | undefined;
  /** Events whose notification is being started: the run does not continue as new under them. */
  private emitting = 0;
  /**
   * Steps whose rule must be judged again: at first all, then the dependants of a step that
   * settled, and all once more when the run stops or is aborted. With the counts below, a
   * change costs the main loop the same for 3 steps or 3,000.
   */
  private readonly toJudge: Set<string>;
  /** Each step's dependants: the steps that need it. */
  private readonly dependants = new Map<string, string[]>();
  /** Each step's place in the catalog: steps ready together start in the catalog's order. */
  private readonly position = new Map<string, number>();
  /** How many steps are in each status. */
  private readonly statusCounts = new Map<StepStatus, number>();
  /** The steps the board shows a large jobnet (jobnet-board.ts's isNotable), kept as they change. */
  private readonly notable = new Set<string>();
  /** Each step's needs, as the board shows what a step waits for. */
  private readonly needs: Record<string, readonly string[]>;
  /** The scope of each step's attempt in flight: a forced end cancels it, which stops the step's work (its process tree). */
  private readonly attemptScopes = new Map<string, CancellationScope>();
  /** Forced ends asked for and not yet taken by their step's attempt. */
  private readonly forced = new Map<string, ForceAction>();
  /** Decided as the run starts, never where a step's check is made (job-alerts.ts says why). */
  private readonly checksUnrouted = checksUnroutedMade();

  constructor(
    private readonly run: JobnetRun,
    carry: JobnetCarry | undefined,
  ) {
    this.order = Object.keys(run.steps);
    this.upstream = transitiveNeeds(run);
    this.needs = Object.fromEntries(this.order.map((name) => [name, run.steps[name]!.needs]));
    this.startTime = carry?.startTime ?? nowIso();
    this.states =
      carry?.steps ??
      Object.fromEntries(
        this.order.map((name) => {
          const step = run.steps[name]!;
          return [name, { ...(step.enabled ? initialStepState(step.needs) : disabledState()), uses: step.uses ?? null, kind: stepKind(step) }];
        }),
      );
    this.order.forEach((name, index) => {
      this.position.set(name, index);
      this.countStatus(this.states[name]!.status, 1);
      if (isNotable(this.states[name]!)) this.notable.add(name);
      for (const need of run.steps[name]!.needs) this.dependants.set(need, [...(this.dependants.get(need) ?? []), name]);
    });
    this.toJudge = new Set(this.order);
    this.operatorActions = carry?.operatorActions ?? [];
    this.stopCauses = new Set(carry?.stopCauses ?? []);
    this.reason = carry?.reason ?? null;
    this.aborted = carry?.aborted ?? false;
    this.warnings = carry?.warnings ?? [];
    this.deadlinePassed = carry?.deadlinePassed ?? false;

    // Handlers first, before the first await, so no query or action arrives unanswered.
    setHandler(jobnetStateQuery, () => this.snapshot());
    setHandler(retryStepUpdate, (body) => this.retry(stepActionSchema.parse(body), 'update'), { validator: (body) => void this.waitingStep(body) });
    setHandler(skipStepUpdate, (body) => this.skip(stepActionSchema.parse(body), 'update'), { validator: (body) => void this.waitingStep(body) });
    setHandler(abortJobnetUpdate, (body) => this.abort(abortActionSchema.parse(body), 'update'), { validator: (body) => void this.abortable(body) });
    setHandler(retrySignal, (body) => this.signalled('retry', body, (action) => this.retry(action, 'signal')));
    setHandler(skipSignal, (body) => this.signalled('skip', body, (action) => this.skip(action, 'signal')));
    setHandler(abortSignal, (body) => this.signalledAbort(body));
    setHandler(holdStepUpdate, (body) => this.hold(stepActionSchema.parse(body), 'update'), { validator: (body) => void this.holdableStep(body) });
    setHandler(releaseStepUpdate, (body) => this.release(stepActionSchema.parse(body), 'update'), { validator: (body) => void this.heldStep(body) });
    setHandler(forceStepUpdate, (body) => this.force(forceActionSchema.parse(body), 'update'), { validator: (body) => void this.forceableStep(body) });
    setHandler(holdSignal, (body) =>
      this.signalledCheck(
        'hold',
        body,
        () => this.holdableStep(body),
        () => this.hold(stepActionSchema.parse(body), 'signal'),
      ),
    );
    setHandler(releaseSignal, (body) =>
      this.signalledCheck(
        'release',
        body,
        () => this.heldStep(body),
        () => this.release(stepActionSchema.parse(body), 'signal'),
      ),
    );
    setHandler(forceSignal, (body) =>
      this.signalledCheck(
        'force',
        body,
        () => this.forceableStep(body),
        () => this.force(forceActionSchema.parse(body), 'signal'),
      ),
    );
  }

  async execute(): Promise<Outcome> {
    const info = workflowInfo();
    upsertSearchAttributes([
      { key: JobName, value: this.run.name },
      { key: BusinessDate, value: this.run.businessDate },
      ...(this.run.stepRuns === 'inline' ? [{ key: StepJobs, value: stepJobs(this.run) }] : []),
    ]);
    this.watchDeadline();
    // A continued run picks up the operator waits where its predecessor left them.
    for (const name of this.order) if (this.states[name]!.status === 'waiting-operator') this.launch(name, true);

    for (;;) {
      this.evaluate();
      // What evaluate changed itself (the steps it started or settled) is seen to: only what
      // happens after it wakes the loop again — one pass per change, not two.
      this.dirty = false;
      if (this.crash) throw this.crash.error;
      this.publishStatus();
      this.publishBoard();
      if (SETTLED_STATUSES.reduce((settled, status) => settled + this.countOf(status), 0) === this.order.length) break;
      if (this.quiescent() && historyIsLong(CONTINUE_AS_NEW_AFTER_EVENTS)) {
        await condition(allHandlersFinished);
        log.info(`${this.run.name}: continuing as new after ${workflowInfo().historyLength} history events`);
        return { kind: 'continue', carry: this.carry() };
      }
      await condition(() => this.dirty);
    }

    const status: JobnetResult['status'] = this.aborted ? 'aborted' : this.stopCauses.size > 0 ? 'failed' : 'success';
    const ended = { status, endTime: nowIso() };
    this.ended = ended;
    // `error` as for a failed job, so "last status" reads alike for jobs and jobnets.
    upsertSearchAttributes([{ key: JobStatus, value: status === 'failed' ? 'error' : status }]);
    this.publishBoard();
    const result: JobnetResult = { ...this.snapshot(), ...ended, workflowId: info.workflowId, runId: info.runId };
    log.info(`${this.run.name}: ${status}`, { jobnet: this.run.name, businessDate: this.run.businessDate, reason: this.reason });
    await condition(allHandlersFinished);
    // Runs of other schedules waiting for this jobnet (`after`) may start.
    if (status === 'success' && this.run.announceAs !== undefined) await announceSuccess(this.run.announceAs, this.run.businessDate);
    if (status !== 'success') {
      const failedSteps = this.order.filter((name) => this.states[name]!.status === 'failed');
      await this.raise(
        {
          type: 'failed',
          job: this.run.name,
          businessDate: this.run.businessDate,
          message: `${this.run.name} ended ${status}: ${this.reason ?? 'no reason recorded'}`,
          errorType: JOBNET_FAILED,
          details: { status, failedSteps },
        },
        this.run.notify,
      );
      throw ApplicationFailure.create({
        type: JOBNET_FAILED,
        message: `${this.run.name} (${this.run.businessDate}) ended ${status}: ${this.reason ?? 'no reason recorded'}`,
        nonRetryable: true,
        details: [result],
      });
    }
    return { kind: 'done', result };
  }

  /**
   * Settles every step whose rule can no longer be met and starts every step whose rule is,
   * until nothing changes: a not-run step settles its dependants' needs in turn.
   */
  private evaluate(): void {
    // A step set not-run settles: its dependants join the queue, and are judged in the next pass.
    while (this.toJudge.size > 0) {
      const names = [...this.toJudge].sort((a, b) => this.position.get(a)! - this.position.get(b)!);
      this.toJudge.clear();
      for (const name of names) {
        const state = this.states[name]!;
        if (this.launched.has(name) || (state.status !== 'pending' && state.status !== 'waiting-dependency')) continue;
        // A held step is judged when it is released.
        if (state.held) continue;
        const judgement = this.judge(name);
        if (judgement.kind === 'wait') {
          if (state.status !== 'waiting-dependency') this.update(name, { status: 'waiting-dependency' });
        } else if (judgement.kind === 'not-run') {
          this.update(name, { status: 'not-run', endTime: nowIso(), reason: judgement.reason });
        } else {
          this.launch(name, false);
        }
      }
    }
  }

  private judge(name: string): Judgement {
    const step = this.run.steps[name]!;
    const needs = step.needs.map((need) => ({ need, status: this.states[need]!.status }));
    if (needs.some(({ status }) => !isSettled(status))) return { kind: 'wait' };
    if (this.aborted) return { kind: 'not-run', reason: `the jobnet was aborted: ${this.reason ?? ''}` };
    if (step.when === 'success') {
      const missed = needs.filter(({ status }) => !isSuccess(status));
      if (missed.length > 0) return { kind: 'not-run', reason: `when: success, but ${missed.map(({ need, status }) => `${need} ${status}`).join(', ')}` };
    }
    if (step.when === 'failed' && !needs.some(({ status }) => status === 'failed')) {
      return { kind: 'not-run', reason: `when: failed, and none of ${step.needs.join(', ') || 'its needs (it has none)'} failed` };
    }
    if (this.stopCauses.size > 0) {
      // After a stop only error branches of the failure start: that is what they are for.
      const upstream = this.upstream.get(name)!;
      const handlesFailure = step.when !== 'success' && [...this.stopCauses].some((cause) => upstream.has(cause));
      if (!handlesFailure) return { kind: 'not-run', reason: `the jobnet is stopping: ${this.reason ?? ''}` };
    }
    return { kind: 'run' };
  }

  private launch(name: string, waitingAlready: boolean): void {
    this.launched.add(name);
    this.lifecycle(name, waitingAlready).catch((error: unknown) => {
      this.crash ??= { error };
      this.dirty = true;
    });
  }

  /** A step from its first start to its outcome: attempts, and operator waits between them. */
  private async lifecycle(name: string, waitingAlready: boolean): Promise<void> {
    const step = this.run.steps[name]!;
    let waiting = waitingAlready;
    for (;;) {
      if (!waiting) {
        const succeeded = await this.attempt(name);
        const forced = this.forced.get(name);
        if (forced !== undefined) {
          this.forced.delete(name);
          this.endForced(name, forced);
          return;
        }
        if (succeeded) {
          this.update(name, { status: 'succeeded', endTime: nowIso(), reason: null });
          return;
        }
        if (step.onFailure === 'continue') {
          this.update(name, { status: 'failed', endTime: nowIso(), reason: 'onFailure: continue — the jobnet goes on' });
          return;
        }
        if (this.aborted) {
          this.update(name, { status: 'failed', endTime: nowIso(), reason: `the jobnet was aborted: ${this.reason ?? ''}` });
          return;
        }
        if (step.onFailure === 'stop') {
          this.update(name, { status: 'failed', endTime: nowIso(), reason: 'onFailure: stop' });
          this.stop(name, `${name} failed (onFailure: stop)`);
          return;
        }
        this.update(name, {
          status: 'waiting-operator',
          waitingSince: nowIso(),
          reason: `onFailure: wait — retry, skip or abort within ${formatDuration(this.run.operatorMaxWait)}`,
        });
        log.warn(`${this.run.name}: ${name} waits for an operator`, { jobnet: this.run.name, step: name, businessDate: this.run.businessDate });
        // One event per wait: the step's attempts number them, also across continue-as-new.
        const state = this.states[name]!;
        await this.raise(
          {
            type: 'waiting_operator',
            job: name,
            businessDate: this.run.businessDate,
            message: `${name} failed (${state.error ?? 'no error message'}); it waits for an operator to retry, skip or abort within ${formatDuration(this.run.operatorMaxWait)}.`,
            ...(state.errorType === null ? {} : { errorType: state.errorType }),
            details: { step: name, attempts: state.attempts, workflowId: state.workflowId, operatorMaxWaitMs: this.run.operatorMaxWait },
          },
          step.notify,
          { seq: state.attempts },
        );
      }
      waiting = false;
      if (!(await this.operatorDecided(name))) return;
    }
  }

  /**
   * Waits for an operator on a durable timer bounded by operatorMaxWait. The handlers settle
   * the step themselves (skip, abort) or make it pending (retry): true means run it again.
   */
  private async operatorDecided(name: string): Promise<boolean> {
    const state = this.states[name]!;
    const deadline = Date.parse(state.waitingSince ?? nowIso()) + this.run.operatorMaxWait;
    const remaining = deadline - workflowNow().getTime();
    const decided =
      remaining > 0 &&
      (await condition(() => state.status !== 'waiting-operator', remaining, {
        summary: `operator wait for ${name} until ${new Date(deadline).toISOString()}`,
      }));
    if (!decided) {
      const waited = formatDuration(this.run.operatorMaxWait);
      this.update(name, { status: 'failed', endTime: nowIso(), reason: `no operator acted within ${waited}; taken as failed with onFailure: stop` });
      this.stop(name, `${name} waited ${waited} for an operator and nobody acted`);
      return false;
    }
    return state.status === 'pending';
  }

  /**
   * Runs the step's work once; false when it failed. Not `async`: every promise workflow code
   * makes costs a stack trace (the SDK's promise hook), and this is every step's path — one
   * `then` here rather than an async frame and its await.
   */
  private attempt(name: string): Promise<boolean> {
    const state = this.states[name]!;
    const attempts = state.attempts + 1;
    // A retried step gets its own child id, so every attempt stays visible as its own run.
    const workflowId = `${workflowInfo().workflowId}/${name}${attempts > 1 ? `#${attempts}` : ''}`;
    this.update(name, {
      ...initialStepState([]),
      uses: state.uses,
      kind: state.kind,
      status: 'running',
      attempts,
      workflowId,
      startTime: state.startTime ?? nowIso(),
    });
    this.inFlight++;
    const scope = new CancellationScope();
    this.attemptScopes.set(name, scope);
    const done = () => {
      this.attemptScopes.delete(name);
      this.inFlight--;
    };
    return scope
      .run(() => this.runStep(name, workflowId, attempts))
      .then(
        (succeeded) => {
          done();
          return succeeded;
        },
        (error: unknown) => {
          done();
          return this.attemptFailed(name, error);
        },
      );
  }

  /** An attempt that threw: false (the step failed), or the run's own cancellation rethrown. */
  private attemptFailed(name: string, error: unknown): boolean {
    // Only the cancellation of this run itself ends the lifecycle; a child cancelled on its own is a failed step.
    if (isCancellation(error) && CancellationScope.current().consideredCancelled) throw error;
    // Stopped by an operator's forced end: the lifecycle settles it as they said.
    if (this.forced.has(name)) {
      this.update(name, { jobStatus: 'cancelled' });
      return false;
    }
    const failure = describeChildFailure(error);
    this.update(name, { ...(failure.job ? jobFields(failure.job) : {}), error: clip(failure.error, MAX_ERROR_LENGTH), errorType: failure.errorType });
    log.warn(`${this.run.name}: ${name} failed`, { jobnet: this.run.name, step: name, error: failure.error });
    return false;
  }

  /** The step's work for one attempt, by its kind; false when it failed. Runs in the attempt's scope. */
  private runStep(name: string, workflowId: string, attempts: number): Promise<boolean> {
    const step = this.run.steps[name]!;
    if (step.job === undefined || step.jobnet !== undefined || step.fanout !== undefined || this.run.stepRuns === 'child')
      return this.runChild(name, workflowId);
    // Inline: the job's runbook runs in this run's own history, its attempts as activities named after the step.
    return runJob(this.stepRun(name), {
      workflowId,
      runId: `${workflowInfo().runId}/${name}#${attempts}`,
      activityIdPrefix: `${name}#${attempts}`,
      eventSeqBase: (attempts - 1) * STEP_RUN_EVENT_SEQ,
      checksUnrouted: this.checksUnrouted,
      onChange: ({ waiting }) => {
        if (this.states[name]!.waiting !== waiting) this.update(name, { waiting });
      },
      onDelayedRetry: () => this.update(name, { delayedRetry: true }),
    }).then((result) => {
      this.update(name, { ...jobFields(result), waiting: null });
      if (result.status === 'success') return true;
      const error = result.error ?? `${name} ended ${result.status}`;
      this.update(name, { error: clip(error, MAX_ERROR_LENGTH), errorType: result.errorType ?? 'Error' });
      log.warn(`${this.run.name}: ${name} failed`, { jobnet: this.run.name, step: name, error });
      return false;
    });
  }

  /** A step run as a child: a nested jobnet, a fan-out, or a job with `stepRuns: child`. */
  private async runChild(name: string, workflowId: string): Promise<boolean> {
    const step = this.run.steps[name]!;
    if (step.jobnet !== undefined) {
      // A nested jobnet is a child jobnet run; its own steps are its children in turn.
      await executeChild(jobnetWorkflow, { workflowId, args: [{ ...step.jobnet, businessDate: this.run.businessDate }] });
      this.update(name, { jobStatus: 'success' });
      return true;
    }
    if (step.fanout !== undefined) {
      // A fan-out step is a child fan-out run; its partitions are its children (`<step run>/<key>`).
      const fanout = await executeChild(fanoutWorkflow, { workflowId, args: [{ ...step.fanout, businessDate: this.run.businessDate }] });
      this.update(name, { jobStatus: 'success', recordCount: fanout.succeeded });
      return true;
    }
    const result = await executeChild(jobWorkflow, { workflowId, args: [this.stepRun(name)] });
    this.update(name, jobFields(result));
    return true;
  }

  /** A job step's run, checked with the jobnet's own input: the step's run takes it as it is. */
  private stepRun(name: string): JobRun {
    const step = this.run.steps[name]!;
    if (step.job === undefined) throw new TypeError(`step ${name} has neither job nor jobnet`);
    return { name, businessDate: this.run.businessDate, job: step.job, ...(step.notify === undefined ? {} : { notify: step.notify }) };
  }

  /**
   * The run was cancelled: its steps in flight are cancelled with it, and each inline step writes
   * its run-log line as it ends (child runs record their own), so the run waits for them before
   * it says `cancelled` and ends.
   */
  async cancelled(): Promise<void> {
    await condition(() => this.inFlight === 0);
    upsertSearchAttributes([{ key: JobStatus, value: 'cancelled' }]);
  }

  /**
   * A durable timer at the deadline (the run's start + `deadline`, DESIGN.md §5.6): if the run is
   * still going then, it says so — in its state and result (`warnings`), the worker log and a
   * critical `sla_warning` routed like its other events — and goes on. A continued run waits for
   * what is left of it.
   */
  private watchDeadline(): void {
    const deadline = this.deadlineMs();
    // Runs from before jobnets had deadlines started no such timer: the patch keeps their histories replaying.
    if (deadline === null || this.deadlinePassed || !patched(JOBNET_DEADLINE)) return;
    sleep(Math.max(1, deadline - workflowNow().getTime()), { summary: `deadline of ${this.run.name} at ${new Date(deadline).toISOString()}` }).then(
      () => {
        if (this.ended || this.deadlinePassed) return;
        this.deadlinePassed = true;
        const going = this.order.filter((name) => !isSettled(this.states[name]!.status));
        const message = `the deadline ${new Date(deadline).toISOString()} passed with the run still going: ${going.map((name) => `${name} ${this.states[name]!.status}`).join(', ')}`;
        this.warnings.push(message);
        this.dirty = true;
        log.warn(`${this.run.name}: ${message}`, { jobnet: this.run.name, businessDate: this.run.businessDate });
        this.raise(
          {
            type: 'sla_warning',
            severity: 'critical',
            job: this.run.name,
            businessDate: this.run.businessDate,
            message: `${this.run.name}: ${message}`,
            details: { deadline: new Date(deadline).toISOString(), going },
          },
          this.run.notify,
        ).catch((error: unknown) => {
          this.crash ??= { error };
          this.dirty = true;
        });
      },
      // Cancelled with the run.
      () => undefined,
    );
  }

  private deadlineMs(): number | null {
    return this.run.deadline === undefined ? null : Date.parse(this.startTime) + this.run.deadline;
  }

  /** Raises an event where `routing` sends it; waits only for its notification to start. */
  private async raise(draft: EventDraft, routing: EventRouting | undefined, options: EmitOptions = {}): Promise<void> {
    if (routing === undefined) return;
    this.emitting++;
    try {
      await emitEvent(draft, routing, options);
    } finally {
      this.emitting--;
      this.dirty = true;
    }
  }

  private stop(name: string, reason: string): void {
    this.stopCauses.add(name);
    this.reason ??= reason;
    this.judgeAllAgain();
    this.dirty = true;
  }

  /** A stop or an abort changes every waiting step's rule. */
  private judgeAllAgain(): void {
    for (const name of this.order) this.toJudge.add(name);
  }

  private update(name: string, fields: Partial<StepState>): void {
    const state = this.states[name]!;
    const before = state.status;
    Object.assign(state, fields);
    if (state.status !== before) {
      this.countStatus(before, -1);
      this.countStatus(state.status, 1);
      if (isSettled(state.status)) for (const dependant of this.dependants.get(name) ?? []) this.toJudge.add(dependant);
    }
    if (isNotable(state)) this.notable.add(name);
    else this.notable.delete(name);
    this.dirty = true;
  }

  private countStatus(status: StepStatus, delta: number): void {
    this.statusCounts.set(status, this.countOf(status) + delta);
  }

  private countOf(status: StepStatus): number {
    return this.statusCounts.get(status) ?? 0;
  }

  // Operator actions. Updates are checked by their validator and refused to the sender;
  // signals cannot be refused, so one that does not apply is recorded as ignored.

  /** The step an action's body names, in a run still going; else why not, to its sender. */
  private namedStep(body: unknown, schema: typeof stepActionSchema | typeof forceActionSchema = stepActionSchema): string {
    const action = schema.safeParse(body);
    if (!action.success)
      throw new Error(
        `write the body as ${schema === forceActionSchema ? '{ "job": "<step>", "outcome": "succeeded" | "failed", "reason": "…" }' : '{ "job": "<step>", "reason": "…" }'}: ${action.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
      );
    const name = action.data.job;
    if (!Object.hasOwn(this.states, name)) {
      const match = closest(name, this.order);
      throw new Error(
        `no step "${name}" in jobnet ${this.run.name}${match === undefined ? `; steps: ${this.order.join(', ')}` : ` — did you mean "${match}"?`}`,
      );
    }
    if (this.ended) throw new Error(`jobnet ${this.run.name} has ended`);
    return name;
  }

  private waitingStep(body: unknown): string {
    const name = this.namedStep(body);
    const state = this.states[name]!;
    if (state.status !== 'waiting-operator') throw new Error(`step "${name}" is ${state.status}, not waiting for an operator`);
    return name;
  }

  /** Hold applies to a step that has not started: not yet launched, waiting for its needs or about to start. */
  private holdableStep(body: unknown): string {
    const name = this.namedStep(body);
    const state = this.states[name]!;
    if (state.held) throw new Error(`step "${name}" is already held (since ${state.held.since}${state.held.by ? ` by ${state.held.by}` : ''})`);
    if (this.launched.has(name) || (state.status !== 'pending' && state.status !== 'waiting-dependency')) {
      throw new Error(`step "${name}" is ${state.status}; only a step that has not started can be held (a running one can be forced to end: force)`);
    }
    return name;
  }

  private heldStep(body: unknown): string {
    const name = this.namedStep(body);
    if (!this.states[name]!.held) throw new Error(`step "${name}" is not held`);
    return name;
  }

  private forceableStep(body: unknown): string {
    const name = this.namedStep(body, forceActionSchema);
    const state = this.states[name]!;
    if (state.status !== 'running' || !this.attemptScopes.has(name))
      throw new Error(`step "${name}" is ${state.status}, not running; only a running step can be forced to end`);
    if (this.forced.has(name)) throw new Error(`step "${name}" is already being forced to end (${this.forced.get(name)!.outcome})`);
    return name;
  }

  private abortable(body: unknown): AbortAction {
    const action = abortActionSchema.safeParse(body);
    if (!action.success) throw new Error(`write { "reason": "…" }: ${action.error.issues.map((i) => i.message).join('; ')}`);
    if (this.ended) throw new Error(`jobnet ${this.run.name} has ended`);
    if (this.aborted) throw new Error(`jobnet ${this.run.name} is already aborted`);
    return action.data;
  }

  private retry(action: StepAction, via: OperatorAction['via']): JobnetState {
    const name = this.waitingStep(action);
    this.record({ action: 'retry', via, job: name, ...whoAndWhy(action), accepted: true });
    // The step's lifecycle, waiting on this status, runs it again.
    this.update(name, { status: 'pending', reason: `retried by ${byWhom(action, via)}${because(action.reason)}` });
    return this.snapshot();
  }

  private skip(action: StepAction, via: OperatorAction['via']): JobnetState {
    const name = this.waitingStep(action);
    this.record({ action: 'skip', via, job: name, ...whoAndWhy(action), accepted: true });
    this.update(name, {
      status: 'skipped',
      endTime: nowIso(),
      reason: `skipped by ${byWhom(action, via)}${because(action.reason)}; its dependants take it as succeeded`,
    });
    return this.snapshot();
  }

  /** The step does not start until released; its needs may settle meanwhile. */
  private hold(action: StepAction, via: OperatorAction['via']): JobnetState {
    const name = this.holdableStep(action);
    this.record({ action: 'hold', via, job: name, ...whoAndWhy(action), accepted: true });
    this.update(name, {
      held: { since: nowIso(), by: action.by ?? null, reason: action.reason ?? null },
      reason: `held by ${byWhom(action, via)}${because(action.reason)}`,
    });
    log.warn(`${this.run.name}: ${name} held`, { jobnet: this.run.name, step: name, by: action.by, reason: action.reason });
    return this.snapshot();
  }

  private release(action: StepAction, via: OperatorAction['via']): JobnetState {
    const name = this.heldStep(action);
    this.record({ action: 'release', via, job: name, ...whoAndWhy(action), accepted: true });
    this.update(name, { held: null, reason: `released by ${byWhom(action, via)}${because(action.reason)}` });
    this.toJudge.add(name);
    return this.snapshot();
  }

  /**
   * A running step made to end now: its attempt's scope is cancelled — its activity is cancelled
   * and the worker stops the command's process tree, or its child run is cancelled — and its
   * lifecycle settles it as the operator said (endForced).
   */
  private force(action: ForceAction, via: OperatorAction['via']): JobnetState {
    const name = this.forceableStep(action);
    this.record({ action: 'force', via, job: name, outcome: action.outcome, ...whoAndWhy(action), accepted: true });
    this.forced.set(name, action);
    this.attemptScopes.get(name)!.cancel();
    log.warn(`${this.run.name}: ${name} forced to end ${action.outcome}`, { jobnet: this.run.name, step: name, by: action.by, reason: action.reason });
    return this.snapshot();
  }

  /** A forced end: succeeded lets its dependants run; failed stops the jobnet as onFailure: stop would (onFailure: continue goes on). */
  private endForced(name: string, action: ForceAction): void {
    const reason = `forced to end ${action.outcome} by ${action.by ?? 'an operator'}: ${action.reason}`;
    this.update(name, {
      status: action.outcome,
      endTime: nowIso(),
      reason,
      ...(action.outcome === 'failed' ? { error: reason, errorType: 'ForcedByOperator' } : {}),
    });
    const step = this.run.steps[name]!;
    if (action.outcome === 'failed' && step.onFailure !== 'continue') this.stop(name, `${name} ${reason}`);
  }

  /** Nothing new starts; steps waiting for an operator fail; steps running finish, then the run ends aborted. */
  private abort(body: AbortAction, via: OperatorAction['via']): JobnetState {
    const action = this.abortable(body);
    const reason = action.reason ?? 'aborted by an operator';
    this.record({ action: 'abort', via, reason, ...(action.by === undefined ? {} : { by: action.by }), accepted: true });
    this.aborted = true;
    this.reason = `aborted by ${byWhom(action, via)}: ${reason}`;
    this.judgeAllAgain();
    for (const name of this.order) {
      const state = this.states[name]!;
      const retryNotStarted = state.status === 'pending' && this.launched.has(name);
      if (state.status === 'waiting-operator' || retryNotStarted) {
        this.update(name, { status: 'failed', endTime: nowIso(), reason: this.reason });
      }
    }
    this.dirty = true;
    log.warn(`${this.run.name}: ${this.reason}`, { jobnet: this.run.name, businessDate: this.run.businessDate });
    return this.snapshot();
  }

  private signalled(action: 'retry' | 'skip', body: unknown, apply: (action: StepAction) => void): void {
    this.signalledCheck(
      action,
      body,
      () => this.waitingStep(body),
      () => apply(stepActionSchema.parse(body)),
    );
  }

  /** A signal applies when its check passes; else it is recorded as ignored, with why. */
  private signalledCheck(action: OperatorAction['action'], body: unknown, check: () => unknown, apply: () => unknown): void {
    try {
      check();
    } catch (error) {
      this.ignored(action, body, error);
      return;
    }
    apply();
  }

  private signalledAbort(body: unknown): void {
    try {
      this.abortable(body);
    } catch (error) {
      this.ignored('abort', body, error);
      return;
    }
    this.abort(abortActionSchema.parse(body), 'signal');
  }

  private ignored(action: OperatorAction['action'], body: unknown, error: unknown): void {
    const note = error instanceof Error ? error.message : String(error);
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const text = (key: string) => (typeof fields[key] === 'string' ? { [key]: fields[key] as string } : {});
    this.record({ action, via: 'signal', ...text('job'), ...text('by'), ...text('reason'), accepted: false, note });
    log.warn(`${this.run.name}: ${action} signal ignored: ${note}`);
  }

  private record(action: Omit<OperatorAction, 'at'>): void {
    this.operatorActions.push({ at: nowIso(), ...action });
    if (this.operatorActions.length > MAX_OPERATOR_ACTIONS) this.operatorActions.splice(0, this.operatorActions.length - MAX_OPERATOR_ACTIONS);
    this.dirty = true;
  }

  // State.

  /** A copy: a query's or update's answer must not change while it is being sent. */
  snapshot(): JobnetState {
    return this.view(true);
  }

  /** The run's state as queries, results and the board show it; `copy` for what leaves the workflow (a query's answer, a result). */
  private view(copy: boolean): JobnetState {
    const deadline = this.deadlineMs();
    return {
      name: this.run.name,
      businessDate: this.run.businessDate,
      status: this.ended?.status ?? 'running',
      reason: this.reason,
      startTime: this.startTime,
      endTime: this.ended?.endTime ?? null,
      steps: copy ? Object.fromEntries(this.order.map((name) => [name, { ...this.states[name]! }])) : this.states,
      operatorActions: copy ? this.operatorActions.map((action) => ({ ...action })) : this.operatorActions,
      deadline: deadline === null ? null : new Date(deadline).toISOString(),
      warnings: copy ? [...this.warnings] : this.warnings,
    };
  }

  private carry(): JobnetCarry {
    const state = this.snapshot();
    return {
      startTime: state.startTime,
      steps: state.steps,
      operatorActions: state.operatorActions,
      stopCauses: [...this.stopCauses],
      reason: this.reason,
      aborted: this.aborted,
      warnings: [...this.warnings],
      deadlinePassed: this.deadlinePassed,
    };
  }

  /** No child run in flight and none about to start: the moment a run can be handed on. */
  private quiescent(): boolean {
    return this.inFlight === 0 && this.emitting === 0 && this.countOf('running') + this.countOf('pending') === 0;
  }

  /**
   * The board on the run's Web UI page (its current details): once per pass of the main loop,
   * not per change. No command: it changes nothing a replay checks.
   */
  private publishBoard(): void {
    // Rendered straight from the live state and the counts kept with it: its cost follows the steps in play, not the jobnet's size.
    const notable = [...this.notable].sort((a, b) => this.position.get(a)! - this.position.get(b)!);
    setCurrentDetails(
      jobnetBoard(
        this.view(false),
        { workflowId: workflowInfo().workflowId, needs: this.needs, operatorMaxWaitMs: this.run.operatorMaxWait },
        { counts: this.statusCounts, notable },
      ),
    );
  }

  /** `JobStatus` for the Web UI and `jobnet list`: whether the run needs someone. */
  private publishStatus(): void {
    const status = this.countOf('waiting-operator') > 0 ? 'waiting-operator' : 'running';
    if (status === this.publishedStatus) return;
    this.publishedStatus = status;
    upsertSearchAttributes([{ key: JobStatus, value: status }]);
  }
}

/** An action's who and why, for its record: only what the sender said. */
function whoAndWhy(action: { by?: string | undefined; reason?: string | undefined }): Pick<OperatorAction, 'by' | 'reason'> {
  return { ...(action.by === undefined ? {} : { by: action.by }), ...(action.reason === undefined ? {} : { reason: action.reason }) };
}

/** "alice@ops-1 (update)", or "an operator (signal)" when the sender did not say who. */
function byWhom(action: { by?: string | undefined }, via: OperatorAction['via']): string {
  return `${action.by ?? 'an operator'} (${via})`;
}

function because(reason: string | undefined): string {
  return reason === undefined ? '' : `: ${reason}`;
}

function stepKind(step: JobnetStepRun): StepKind {
  if (step.jobnet !== undefined) return 'jobnet';
  if (step.fanout !== undefined) return 'fanout';
  return 'job';
}

/** A step switched off in the catalog (`enabled: false`): settled from the start; its dependants take it as succeeded. */
function disabledState(): StepState {
  return { ...initialStepState([]), status: 'skipped', reason: 'disabled in the catalog (enabled: false)' };
}

function transitiveNeeds(run: JobnetRun): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  const visit = (name: string): Set<string> => {
    const known = result.get(name);
    if (known) return known;
    const all = new Set<string>();
    // The input is checked acyclic, so this ends; set before the recursion all the same.
    result.set(name, all);
    for (const need of run.steps[name]!.needs) {
      all.add(need);
      for (const further of visit(need)) all.add(further);
    }
    return all;
  };
  for (const name of Object.keys(run.steps)) visit(name);
  return result;
}

/**
 * A carried state must belong to this input: the same steps, and none in flight (a run
 * continues as new only while no job runs).
 */
function checkCarry(run: JobnetRun, carry: JobnetCarry): JobnetCarry {
  const names = Object.keys(run.steps);
  const carriedNames = Object.keys(carry.steps);
  const problems: string[] = [];
  if (names.length !== carriedNames.length || names.some((name) => !Object.hasOwn(carry.steps, name))) {
    problems.push(`carried steps ${carriedNames.join(', ')} are not the input's ${names.join(', ')}`);
  }
  for (const [name, state] of Object.entries(carry.steps)) {
    // A rerun's steps to run again are pending with their attempts counted on; a continued run has none in flight.
    if (state.status === 'running' || (state.status === 'pending' && state.attempts > 0 && carry.rerunOf === undefined))
      problems.push(`carried step ${name} is ${state.status}`);
  }
  if (problems.length > 0) {
    throw ApplicationFailure.create({ type: 'InvalidInput', message: `invalid carried state: ${problems.join('; ')}`, nonRetryable: true });
  }
  return carry;
}

function jobFields(job: JobResult): Partial<StepState> {
  return { jobStatus: job.status, exitCode: job.exitCode, recordCount: job.recordCount, delayedRetry: job.delayedRetry };
}

/**
 * Temporal refuses a search attribute value over 2 KB (the default of
 * `limit.searchAttributeValueSize`): StepJobs stops short of it.
 */
const STEP_JOBS_MAX_BYTES = 1_900;

/**
 * The names a job run as a step is found under: the catalog job's it uses, and the step's — as
 * many as fit the search attribute (the used jobs first); a step left out is still in the
 * jobnet's own state and history, only not found by its name from outside.
 */
function stepJobs(run: JobnetRun): string[] {
  const jobSteps = Object.entries(run.steps).filter(([, step]) => step.job !== undefined);
  const wanted = [...new Set([...jobSteps.flatMap(([, step]) => (step.uses === undefined ? [] : [step.uses])), ...jobSteps.map(([name]) => name)])];
  const names: string[] = [];
  let bytes = 2;
  for (const name of wanted) {
    const size = new TextEncoder().encode(JSON.stringify(name)).length + 1;
    if (bytes + size > STEP_JOBS_MAX_BYTES) {
      log.warn(
        `${run.name}: ${wanted.length - names.length} step names do not fit the StepJobs search attribute; their runs are found in this jobnet's history only`,
      );
      break;
    }
    names.push(name);
    bytes += size;
  }
  return names.sort();
}

/** A failed child: jobWorkflow's own result when it sent one (JobFailed, JobTimeout), else what Temporal says. */
function describeChildFailure(error: unknown): { error: string; errorType: string; job?: JobResult } {
  if (error instanceof ChildWorkflowFailure && error.cause) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure) {
      const job = jobResultSchema.safeParse(cause.details?.[0]);
      if (job.success) return { error: job.data.error ?? cause.message, errorType: job.data.errorType ?? cause.type ?? 'Error', job: job.data };
      return { error: cause.message, errorType: cause.type ?? 'Error' };
    }
    return { error: cause.message, errorType: cause.name };
  }
  if (error instanceof Error) return { error: error.message, errorType: error.name };
  return { error: String(error), errorType: 'Error' };
}
