import {
  ApplicationFailure,
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { z } from 'zod';
import type * as activities from '../activities';
import type { PartitionPage } from '../activities/partitions';
import { formatDuration } from '../catalog/duration-format';
import { fanoutRunInputSchema, type FanoutRun, type FanoutRunInput } from '../catalog/fanout-input';
import { BusinessDate, JobName, JobStatus, RecordCount } from '../search-attributes';
import { announceSuccess } from './coordination';
import { emitEvent } from './emit-event';
import {
  FANOUT_FAILED,
  FANOUT_PARTIAL,
  MAX_FAILURES_KEPT,
  fanoutStateQuery,
  groupFailures,
  partitionDoneSignal,
  partitionFailureSchema,
  partitionReportSchema,
  type FanoutResult,
  type FanoutState,
  type FanoutStatus,
  type PartitionFailure,
  type PartitionReport,
} from './fanout-definitions';
import { partitionWorkflow } from './fanout-partition';
import { parseWorkflowInput } from './input';

/**
 * A run continues as new past `continueAsNewAfter` history events (default 8,000), as soon as
 * no child start and no page read is in flight (running partitions are carried: they report by
 * signal). Temporal warns at 10,240 events and stops a run at 51,200; a partition costs the
 * fan-out four events (start initiated, started, the partition's signal, its close) and its
 * share of the workflow tasks — about ten on the dev server — so one run handles some 800
 * partitions and a fan-out of 100,000 continues ~130 times. Temporal's own suggestion to
 * continue is followed too.
 */
/** Keys read from the source at a time (one activity); a page is a few tens of KB. */
const PAGE_SIZE = 1_000;
/** Notifications of single partition failures per fan-out; the rest are in the summary event. */
const MAX_PARTITION_ALERTS = 10;
/** Error texts kept per error type; later failures of the type keep only key and type. */
const ERRORS_KEPT_PER_TYPE = 50;
const MAX_ERROR_LENGTH = 300;
/** `RecordCount` (partitions succeeded) is upserted at most this often: each upsert is a history event. */
const PROGRESS_EVERY_MS = 10_000;
/** The projection is trusted only after this many partitions ended. */
const MIN_ENDED_FOR_PROJECTION = 10;

const carrySchema = z.object({
  startTime: z.string(),
  roundStart: z.string(),
  /** Next read: the last key read (key sources), the index into the list (items, retry keys). */
  cursor: z.object({ after: z.string().nullable(), position: z.number() }),
  sourceDone: z.boolean(),
  buffer: z.array(z.object({ key: z.string(), attempt: z.number() })),
  total: z.number().nullable(),
  seen: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  failures: z.array(partitionFailureSchema),
  failuresNotKept: z.number(),
  running: z.array(z.object({ key: z.string(), attempt: z.number(), workflowId: z.string() })),
  warnings: z.array(z.string()),
  warned: z.object({ projection: z.boolean(), passed: z.boolean() }),
  alerts: z.number(),
  continuedAsNew: z.number(),
  sourceError: z.string().nullable(),
});
export type FanoutCarry = z.infer<typeof carrySchema>;

type Item = { key: string; attempt: number };
type Running = Item & { workflowId: string };

/**
 * One run of a fan-out for one business date (seed 004's monthly batch): every partition key
 * of the source runs the item job as its own child `partitionWorkflow`, id `<run>/<key>`, at
 * most `maxParallel` at a time — a sliding window: a partition starts as soon as another
 * ends. A partition's failure is its own: the others go on, and the run ends `partial` with
 * the failed keys grouped by error type, each type with its runbook, for `jobnet
 * retry-partitions` to rerun exactly those (`#2`, `#3`…). Succeeded partitions never run
 * again: their child ids are taken, and a retry round runs only failed keys.
 *
 * The run continues as new every few thousand events, carrying the partitions still running;
 * they report to the fan-out's workflow id by signal, so the window never has to drain.
 */
export async function fanoutWorkflow(input: FanoutRunInput, carried?: FanoutCarry): Promise<FanoutResult> {
  const run = parseWorkflowInput(fanoutRunInputSchema, input);
  const carry = carried === undefined ? undefined : parseWorkflowInput(carrySchema, carried);
  const outcome = await new FanoutRunner(run, input, carry).execute();
  if (outcome.kind === 'continue') return continueAsNew<typeof fanoutWorkflow>(input, outcome.carry);
  return outcome.result;
}

const nowIso = (): string => new Date().toISOString();

class FanoutRunner {
  private readonly queue: string;
  private readonly startTime: string;
  private readonly roundStart: string;
  private cursor: FanoutCarry['cursor'];
  private sourceDone: boolean;
  private readonly buffer: Item[];
  private total: number | null;
  private seen: number;
  private succeeded: number;
  private failed: number;
  private readonly failures: PartitionFailure[];
  private failuresNotKept: number;
  private readonly errorsPerType = new Map<string, number>();
  private readonly running = new Map<string, Running>();
  private readonly warnings: string[];
  private readonly warned: FanoutCarry['warned'];
  private alerts: number;
  private readonly continuedAsNew: number;
  private sourceError: string | null;
  /** Child starts, page reads and event starts in flight: a run continues as new only without any. */
  private pending = 0;
  private fetching = false;
  private dirty = true;
  private crash: { error: unknown } | undefined;
  private ended: { status: FanoutStatus; endTime: string } | undefined;
  private lastProgress = -1;
  private lastProgressAt = 0;

  constructor(
    private readonly run: FanoutRun,
    private readonly input: FanoutRunInput,
    carry: FanoutCarry | undefined,
  ) {
    this.queue = run.queue ?? workflowInfo().taskQueue;
    const retry = run.retry;
    this.startTime = carry?.startTime ?? retry?.previous.startTime ?? nowIso();
    this.roundStart = carry?.roundStart ?? nowIso();
    this.cursor = carry?.cursor ?? { after: null, position: 0 };
    this.sourceDone = carry?.sourceDone ?? false;
    this.buffer = carry?.buffer ?? [];
    this.total = carry?.total ?? (retry ? retry.previous.total : run.source.kind === 'items' ? run.source.items.length : null);
    this.seen = carry?.seen ?? (retry ? retry.previous.total - retry.keys.length : 0);
    this.succeeded = carry?.succeeded ?? retry?.previous.succeeded ?? 0;
    this.failed = carry?.failed ?? retry?.previous.failures.length ?? 0;
    this.failures = carry?.failures ?? [...(retry?.previous.failures ?? [])];
    for (const failure of this.failures) if (failure.error !== '') this.errorsPerType.set(failure.errorType, (this.errorsPerType.get(failure.errorType) ?? 0) + 1);
    this.failuresNotKept = carry?.failuresNotKept ?? retry?.previous.failuresNotKept ?? 0;
    if (carry === undefined) this.failed += this.failuresNotKept;
    for (const item of carry?.running ?? []) this.running.set(item.key, item);
    this.warnings = carry?.warnings ?? [];
    this.warned = carry?.warned ?? { projection: false, passed: false };
    this.alerts = carry?.alerts ?? 0;
    this.continuedAsNew = carry?.continuedAsNew ?? 0;
    this.sourceError = carry?.sourceError ?? null;

    // Before the first await: reports of partitions carried from the previous run may be waiting.
    setHandler(fanoutStateQuery, () => this.snapshot());
    setHandler(partitionDoneSignal, (report) => {
      // A signal cannot be refused: one that is not a partition's report is logged and ignored.
      const parsed = partitionReportSchema.safeParse(report);
      if (parsed.success) this.settle(parsed.data);
      else log.warn(`${this.run.name}: ignored a partitionDone signal that is not a partition report`);
    });
  }

  async execute(): Promise<{ kind: 'done'; result: FanoutResult } | { kind: 'continue'; carry: FanoutCarry }> {
    upsertSearchAttributes([
      { key: JobName, value: this.run.name },
      { key: BusinessDate, value: this.run.businessDate },
      { key: JobStatus, value: 'running' },
    ]);
    this.watchDeadline();
    if (this.continuedAsNew === 0) log.info(`${this.run.name}: fan-out started`, { total: this.total, maxParallel: this.run.maxParallel, queue: this.queue });

    for (;;) {
      this.dirty = false;
      if (this.crash) throw this.crash.error;
      this.fill();
      this.progress();
      if (this.sourceDone && this.buffer.length === 0 && this.running.size === 0 && this.pending === 0) break;
      if (this.pending === 0 && historyIsLong(this.run.continueAsNewAfter)) {
        await condition(allHandlersFinished);
        log.info(`${this.run.name}: continuing as new after ${workflowInfo().historyLength} events`, { running: this.running.size, done: this.succeeded + this.failed });
        return { kind: 'continue', carry: this.carry() };
      }
      await condition(() => this.dirty);
    }
    return { kind: 'done', result: await this.finish() };
  }

  /** Starts partitions while the window has room; reads the next page when the buffer runs low. */
  private fill(): void {
    // Time to continue as new: start nothing more until the starts in flight are recorded, so
    // the run can hand over at once (the running partitions go on; only new starts pause).
    if (historyIsLong(this.run.continueAsNewAfter)) return;
    while (this.running.size < this.run.maxParallel && this.buffer.length > 0) this.launch(this.buffer.shift()!);
    if (!this.sourceDone && !this.fetching && this.sourceError === null && this.buffer.length < this.run.maxParallel) this.fetchPage();
  }

  private fetchPage(): void {
    const list = this.run.retry ? this.run.retry.keys : this.run.source.kind === 'items' ? this.run.source.items.map((key) => ({ key, attempt: 1 })) : undefined;
    if (list !== undefined) {
      // The keys are in the input: no activity needed.
      const page = list.slice(this.cursor.position, this.cursor.position + PAGE_SIZE);
      this.cursor = { after: null, position: this.cursor.position + page.length };
      this.took(page, this.cursor.position >= list.length);
      return;
    }
    const source = this.run.source;
    if (source.kind === 'items') return;
    this.fetching = true;
    this.pending++;
    const { partitionPage } = proxyActivities<typeof activities>({
      taskQueue: this.queue,
      startToCloseTimeout: '15m',
      heartbeatTimeout: '2m',
      retry: { maximumAttempts: 5, initialInterval: '5s', maximumInterval: '1m' },
    });
    partitionPage({ source, after: this.cursor.after, limit: PAGE_SIZE, jobName: this.run.name, businessDate: this.run.businessDate, runKey: workflowInfo().workflowId })
      .then(
        (page: PartitionPage) => {
          if (page.total !== undefined && this.total === null) this.total = page.total;
          const last = page.keys[page.keys.length - 1];
          if (last !== undefined) this.cursor = { after: last, position: this.cursor.position + page.keys.length };
          this.took(page.keys.map((key) => ({ key, attempt: 1 })), page.done);
        },
        (error: unknown) => {
          if (isCancellation(error)) return void (this.crash ??= { error });
          this.sourceError = `the partition source failed: ${errorMessage(error)}`;
          this.sourceDone = true;
          log.error(`${this.run.name}: ${this.sourceError}`);
        },
      )
      .finally(() => {
        this.fetching = false;
        this.pending--;
        this.dirty = true;
      });
  }

  private took(items: Item[], done: boolean): void {
    this.buffer.push(...items);
    this.seen += items.length;
    if (done) {
      this.sourceDone = true;
      // The source may have grown or shrunk since its first page: the keys read are the run's.
      if (!this.run.retry) this.total = this.seen;
    }
    this.dirty = true;
  }

  private launch(item: Item): void {
    const info = workflowInfo();
    const workflowId = `${info.workflowId}/${item.key}${item.attempt > 1 ? `#${item.attempt}` : ''}`;
    this.running.set(item.key, { ...item, workflowId });
    this.pending++;
    startChild(partitionWorkflow, {
      workflowId,
      taskQueue: this.queue,
      args: [{ fanout: this.run.name, businessDate: this.run.businessDate, key: item.key, attempt: item.attempt, runKey: `${info.workflowId}/${item.key}`, item: this.run.item }],
      // Carried through continue-as-new: the partition goes on and reports to the next run.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // A partition id runs once: a succeeded partition is never run again under it.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: JobName, value: this.run.item.name },
        { key: BusinessDate, value: this.run.businessDate },
      ],
    }).then(
      (handle) => {
        // Normally the partition's signal settles it; its end settles it if no signal came (terminated).
        handle.result().then(
          (report) => this.settle(report),
          (error: unknown) => this.childEnded(item, workflowId, error),
        );
      },
      (error: unknown) => {
        if (isCancellation(error)) return void (this.crash ??= { error });
        const errorType = error instanceof WorkflowExecutionAlreadyStartedError ? 'PartitionAlreadyRan' : 'PartitionNotStarted';
        this.settle({ workflowId, key: item.key, attempt: item.attempt, ok: false, errorType, error: errorMessage(error), recordCount: null, tries: 0 });
      },
    ).finally(() => {
      this.pending--;
      this.dirty = true;
    });
  }

  private childEnded(item: Item, workflowId: string, error: unknown): void {
    if (this.running.get(item.key)?.workflowId !== workflowId) return;
    if (error instanceof ChildWorkflowFailure && error.cause instanceof ApplicationFailure) {
      const report = partitionReportSchema.safeParse(error.cause.details?.[0]);
      if (report.success) return this.settle(report.data);
    }
    const cause = error instanceof ChildWorkflowFailure && error.cause ? error.cause : error;
    this.settle({ workflowId, key: item.key, attempt: item.attempt, ok: false, errorType: 'PartitionEnded', error: errorMessage(cause), recordCount: null, tries: 0 });
  }

  /** A partition's outcome, once: the first report of its current run counts, later ones are ignored. */
  private settle(report: PartitionReport): void {
    const current = this.running.get(report.key);
    if (current === undefined || current.workflowId !== report.workflowId) return;
    this.running.delete(report.key);
    this.dirty = true;
    if (report.ok) {
      this.succeeded++;
      return;
    }
    this.failed++;
    const errorType = report.errorType ?? 'Error';
    const kept = this.errorsPerType.get(errorType) ?? 0;
    const withText = kept < ERRORS_KEPT_PER_TYPE;
    if (withText) this.errorsPerType.set(errorType, kept + 1);
    const failure = { key: report.key, attempt: report.attempt, errorType, error: withText ? clip(report.error ?? '') : '' };
    if (this.failures.length < MAX_FAILURES_KEPT) this.failures.push(failure);
    else this.failuresNotKept++;
    const runbookUrl = this.runbook(errorType);
    log.warn(`${this.run.name}: partition ${report.key} failed (${errorType})`, { key: report.key, errorType, error: failure.error, runbookUrl });
    if (this.alerts < MAX_PARTITION_ALERTS) {
      this.alerts++;
      this.emit(
        {
          type: 'failed',
          message: `partition ${report.key} of ${this.run.name} failed: ${failure.error}${this.alerts === MAX_PARTITION_ALERTS ? ` (further partition failures only in the summary)` : ''}`,
          errorType,
          attempt: report.attempt,
          details: { partition: report.key, workflowId: report.workflowId, ...(runbookUrl ? { runbookUrl } : {}) },
        },
        this.alerts,
      );
    }
  }

  private runbook(errorType: string): string | null {
    return Object.hasOwn(this.run.runbooks, errorType) ? this.run.runbooks[errorType]! : null;
  }

  private emit(draft: { type: 'failed' | 'sla_warning'; message: string; errorType?: string; attempt?: number; severity?: 'warning' | 'critical'; details: Record<string, unknown> }, seq: number): void {
    if (this.run.notify === undefined) return;
    this.pending++;
    emitEvent({ ...draft, job: this.run.name, businessDate: this.run.businessDate }, this.run.notify, { seq })
      .catch((error: unknown) => {
        if (isCancellation(error)) this.crash ??= { error };
        else log.error(`${this.run.name}: event not raised: ${errorMessage(error)}`);
      })
      .finally(() => {
        this.pending--;
        this.dirty = true;
      });
  }

  /** A durable timer at the deadline: a warning when it passes with partitions still to go. */
  private watchDeadline(): void {
    const deadline = this.deadlineMs();
    // A retry round is an operator's decision after the fact; the deadline was the first round's.
    if (deadline === null || this.warned.passed || this.run.retry) return;
    const remaining = deadline - Date.now();
    sleep(Math.max(1, remaining)).then(
      () => {
        if (this.ended || this.warned.passed) return;
        this.warned.passed = true;
        const message = `the deadline ${new Date(deadline).toISOString()} passed with ${this.done()} of ${this.totalOrSeen()} partitions done`;
        this.warn(message, 'critical', 2);
      },
      () => undefined,
    );
  }

  private deadlineMs(): number | null {
    return this.run.deadline === undefined ? null : Date.parse(this.startTime) + this.run.deadline;
  }

  /** Search attributes (throttled) and the deadline projection, after anything changed. */
  private progress(): void {
    const now = Date.now();
    if (this.succeeded !== this.lastProgress && now - this.lastProgressAt >= PROGRESS_EVERY_MS) {
      this.lastProgress = this.succeeded;
      this.lastProgressAt = now;
      upsertSearchAttributes([{ key: RecordCount, value: this.succeeded }]);
    }
    const deadline = this.deadlineMs();
    const projected = this.projectedFinish();
    if (deadline === null || projected === null || this.warned.projection || this.warned.passed || this.run.retry) return;
    if (this.endedThisRound() >= MIN_ENDED_FOR_PROJECTION && projected > deadline) {
      this.warned.projection = true;
      const message =
        `at ${this.rate().toFixed(1)} partitions/s the fan-out ends about ${new Date(projected).toISOString()}, ` +
        `${formatDuration(projected - deadline)} after its deadline ${new Date(deadline).toISOString()} (${this.done()} of ${this.totalOrSeen()} done)`;
      this.warn(message, 'warning', 1);
    }
  }

  private warn(message: string, severity: 'warning' | 'critical', seq: number): void {
    this.warnings.push(message);
    this.dirty = true;
    log.warn(`${this.run.name}: ${message}`);
    this.emit({ type: 'sla_warning', severity, message: `${this.run.name}: ${message}`, details: { total: this.total, done: this.done(), deadline: this.deadlineMs() } }, seq);
  }

  private done(): number {
    return this.succeeded + this.failed;
  }

  private totalOrSeen(): number {
    return this.total ?? this.seen;
  }

  /** Partitions ended in this round (a retry round counts its own, for its rate). */
  private endedThisRound(): number {
    const retry = this.run.retry;
    return retry ? this.done() - retry.previous.succeeded - retry.previous.failures.length - retry.previous.failuresNotKept : this.done();
  }

  private rate(): number {
    const seconds = (Date.now() - Date.parse(this.roundStart)) / 1000;
    return seconds > 0 ? this.endedThisRound() / seconds : 0;
  }

  private projectedFinish(): number | null {
    const rate = this.rate();
    if (this.endedThisRound() === 0 || rate <= 0) return null;
    const remaining = Math.max(0, this.totalOrSeen() - this.done());
    return Date.now() + (remaining / rate) * 1000;
  }

  private async finish(): Promise<FanoutResult> {
    const info = workflowInfo();
    const status: FanoutStatus = this.sourceError !== null ? 'error' : this.failed === 0 ? 'success' : this.succeeded > 0 ? 'partial' : 'error';
    this.ended = { status, endTime: nowIso() };
    upsertSearchAttributes([
      { key: JobStatus, value: status },
      { key: RecordCount, value: this.succeeded },
    ]);
    const { input } = this;
    const result: FanoutResult = {
      ...this.snapshot(),
      workflowId: info.workflowId,
      runId: info.runId,
      failedPartitions: this.failures.map((failure) => ({
        ...failure,
        workflowId: `${info.workflowId}/${failure.key}${failure.attempt > 1 ? `#${failure.attempt}` : ''}`,
        runbookUrl: this.runbook(failure.errorType),
      })),
      failuresNotKept: this.failuresNotKept,
      input: { ...input, retry: undefined },
    };
    const summary = this.summary(status);
    log.info(`${this.run.name}: ${summary}`, { status, succeeded: this.succeeded, failed: this.failed });
    if (status !== 'success') {
      const byType = Object.fromEntries(result.failures.map((group) => [group.errorType, { count: group.count, runbookUrl: group.runbookUrl, keys: group.keys }]));
      this.emit({ type: 'failed', message: summary, details: { summary: true, total: this.total, succeeded: this.succeeded, failed: this.failed, byType } }, MAX_PARTITION_ALERTS + 1);
    }
    await condition(() => this.pending === 0);
    await condition(allHandlersFinished);
    if (status === 'success' && this.run.announceAs !== undefined) await announceSuccess(this.run.announceAs, this.run.businessDate);
    if (status !== 'success') {
      throw ApplicationFailure.create({
        type: status === 'partial' ? FANOUT_PARTIAL : FANOUT_FAILED,
        message: `${this.run.name} (${this.run.businessDate}) ended ${status}: ${summary}`,
        nonRetryable: true,
        details: [result],
      });
    }
    return result;
  }

  private summary(status: FanoutStatus): string {
    const head = `${this.succeeded} of ${this.totalOrSeen()} partitions succeeded, ${this.failed} failed`;
    const groups = groupFailures(this.failures, this.run.runbooks, this.failuresNotKept, 5)
      .map((group) => `${group.errorType} ×${group.count}${group.keys.length ? ` (${group.keys.join(', ')}${group.count > group.keys.length ? ', …' : ''})` : ''}`)
      .join('; ');
    return [this.sourceError, status === 'success' ? head : `${head}${groups ? `: ${groups}` : ''}`].filter(Boolean).join('; ');
  }

  snapshot(): FanoutState {
    const projected = this.ended ? null : this.projectedFinish();
    const deadline = this.deadlineMs();
    return {
      name: this.run.name,
      businessDate: this.run.businessDate,
      status: this.ended?.status ?? 'running',
      startTime: this.startTime,
      endTime: this.ended?.endTime ?? null,
      total: this.sourceDone || this.run.retry || this.total !== null ? this.total : null,
      seen: this.seen,
      succeeded: this.succeeded,
      failed: this.failed,
      running: this.running.size,
      rate: this.rate(),
      deadline: deadline === null ? null : new Date(deadline).toISOString(),
      projectedFinish: projected === null ? null : new Date(projected).toISOString(),
      failures: groupFailures(this.failures, this.run.runbooks, this.failuresNotKept),
      warnings: [...this.warnings],
      continuedAsNew: this.continuedAsNew,
      round: this.run.retry ? Math.max(...this.run.retry.keys.map((item) => item.attempt)) : 1,
    };
  }

  private carry(): FanoutCarry {
    return {
      startTime: this.startTime,
      roundStart: this.roundStart,
      cursor: this.cursor,
      sourceDone: this.sourceDone,
      buffer: this.buffer,
      total: this.total,
      seen: this.seen,
      succeeded: this.succeeded,
      failed: this.failed,
      failures: this.failures,
      failuresNotKept: this.failuresNotKept,
      running: [...this.running.values()],
      warnings: this.warnings,
      warned: this.warned,
      alerts: this.alerts,
      continuedAsNew: this.continuedAsNew + 1,
      sourceError: this.sourceError,
    };
  }
}

function historyIsLong(limit: number): boolean {
  const info = workflowInfo();
  return info.historyLength >= limit || info.continueAsNewSuggested;
}

function clip(text: string): string {
  return text.length <= MAX_ERROR_LENGTH ? text : `${text.slice(0, MAX_ERROR_LENGTH)}…`;
}

function errorMessage(error: unknown): string {
  if (error instanceof ApplicationFailure || error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
