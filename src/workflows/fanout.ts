import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import type { PartitionPage } from '../activities/partitions';
import { formatDuration } from '../time/duration-format';
import type * as FanoutInput from '../catalog/compile/fanout-input';
import type { FanoutCarry, FanoutRun } from '../contracts/fanout';
import { BusinessDate, JobName, JobStatus, RecordCount } from '../contracts/search-attributes';
import { announceSuccess } from './after-wait';
import { emitEvent } from './emit-event';
import {
  FANOUT_FAILED,
  FANOUT_PARTIAL,
  MAX_FAILURES_KEPT,
  fanoutStateQuery,
  fanoutStatusLines,
  groupFailures,
  type FanoutResult,
  type FanoutState,
  type FanoutStatus,
  type PartitionFailure,
} from './fanout-definitions';
import { partitionJob, partitionRunId, type PartitionBatchRequest, type PartitionKey, type PartitionReport } from '../contracts/fanout';
import { MAX_WORKER_LOSSES } from './job-attempts';
import { parseWorkflowInput } from './input';
import { isRunCancelled, recordCancelled } from './cancelled-run';
import { clip } from '../text/clip';
import { historyIsLong, nowIso } from './workflow-info';
import { untrustedResult } from './refuse-untrusted';

/**
 * Partitions run in batches: one activity (`runPartitions`) runs many keys on a worker, several
 * at a time, and reports each; a batch costs the fan-out's history three events and one
 * workflow task, however many keys it holds. Two batches share the window of `maxParallel`
 * (so one batch's last slow keys do not idle the window), each `batchSize` keys long — by
 * default four rounds of its share of the window, at most MAX_BATCH_SIZE.
 *
 * A run continues as new past `continueAsNewAfter` history events (default 8,000): it stops
 * starting batches, lets those in flight finish, and hands over its counts and cursor.
 * Temporal warns at 10,240 events and stops a run at 51,200. Temporal's own suggestion to
 * continue is followed too.
 */
const MAX_BATCH_SIZE = 500;
const ROUNDS_PER_BATCH = 4;
/** Keys read from the source at a time (one activity); a page is a few tens of KB. */
const PAGE_SIZE = 1_000;
/** Notifications of single partition failures per fan-out; the rest are in the summary event. */
const MAX_PARTITION_ALERTS = 10;
/** Error texts kept per error type; later failures of the type keep only key and type. */
const ERRORS_KEPT_PER_TYPE = 50;
const MAX_ERROR_LENGTH = 300;
/** `RecordCount` (partitions succeeded) is upserted at most this often: each upsert is a history event. */
const PROGRESS_EVERY_MS = 10_000;
/** The Web UI's progress board is rendered at most this often (workflow time). */
const DETAILS_EVERY_MS = 1_000;
/** The projection is trusted only after this many partitions ended. */
const MIN_ENDED_FOR_PROJECTION = 10;

type Item = PartitionKey;

/**
 * One run of a fan-out for one business date (seed 004's monthly batch): every partition key
 * of the source runs the item job, in batches of keys handed to workers (see above), at most
 * `maxParallel` keys at a time. A partition's failure is its own: the others go on, and the run
 * ends `partial` with the failed keys grouped by error type, each type with its runbook, for
 * `jobnet retry-partitions` to rerun exactly those (`#2`, `#3`…). Succeeded partitions never run
 * again: a retry round runs only failed keys, and a batch resumed on another worker skips the
 * keys it had finished.
 */
export async function fanoutWorkflow(input: FanoutRun, carried?: FanoutCarry): Promise<FanoutResult> {
  const run = runOf(input);
  // The carry is this fan-out's own previous run's hand-over, taken as it is like a parent's
  // input: a run continued (every few thousand events of a large fan-out) loads no schema.
  const outcome = await new FanoutRunner(run, input, carried).execute().catch(async (error: unknown) => {
    // Its batches in flight got the cancellation with the run (their processes are killed); the run says how it ended.
    if (isRunCancelled(error)) await recordCancelled(async () => upsertSearchAttributes([{ key: JobStatus, value: 'cancelled' }]));
    throw error;
  });
  // The parsed run: a run started with defaults left out must not lose them at the hand-over.
  if (outcome.kind === 'continue') return continueAsNew<typeof fanoutWorkflow>(run, outcome.carry);
  return outcome.result;
}

/**
 * The run input as its client parsed it. A run with a parent (a jobnet step, a Schedule's fire,
 * its own continue-as-new) takes it as it is; any other is checked here first.
 */
function runOf(input: FanoutRun): FanoutRun {
  if (workflowInfo().parent !== undefined || workflowInfo().continuedFromExecutionRunId !== undefined) return input;
  const { fanoutRunSchema } = require('../catalog/compile/fanout-input') as typeof FanoutInput;
  return parseWorkflowInput(fanoutRunSchema, input);
}

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
  /** Batches in flight, by number: their keys and the slots of the window they hold. */
  private readonly batches = new Map<number, { items: Item[]; concurrency: number }>();
  /** What every batch's input carries of the item job: what running a key needs, no more. */
  private readonly batchItem: PartitionBatchRequest['item'];
  private batchSeq = 0;
  private readonly warnings: string[];
  private readonly warned: FanoutCarry['warned'];
  private alerts: number;
  private readonly continuedAsNew: number;
  private sourceError: string | null;
  /** Batches, page reads and event starts in flight: a run continues as new only without any. */
  private pending = 0;
  private fetching = false;
  private dirty = true;
  private crash: { error: unknown } | undefined;
  private ended: { status: FanoutStatus; endTime: string } | undefined;
  private lastProgress = -1;
  private lastProgressAt = 0;
  private lastDetailsAt = 0;

  constructor(
    private readonly run: FanoutRun,
    private readonly input: FanoutRun,
    carry: FanoutCarry | undefined,
  ) {
    this.queue = run.queue ?? workflowInfo().taskQueue;
    this.batchItem = { name: run.item.name, job: partitionJob(run.item.job) };
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
    for (const failure of this.failures)
      if (failure.error !== '') this.errorsPerType.set(failure.errorType, (this.errorsPerType.get(failure.errorType) ?? 0) + 1);
    this.failuresNotKept = carry?.failuresNotKept ?? retry?.previous.failuresNotKept ?? 0;
    if (carry === undefined) this.failed += this.failuresNotKept;
    this.warnings = carry?.warnings ?? [];
    this.warned = carry?.warned ?? { projection: false, passed: false };
    this.alerts = carry?.alerts ?? 0;
    this.continuedAsNew = carry?.continuedAsNew ?? 0;
    this.sourceError = carry?.sourceError ?? null;

    setHandler(fanoutStateQuery, () => this.snapshot());
  }

  async execute(): Promise<{ kind: 'done'; result: FanoutResult } | { kind: 'continue'; carry: FanoutCarry }> {
    upsertSearchAttributes([
      { key: JobName, value: this.run.name },
      { key: BusinessDate, value: this.run.businessDate },
      { key: JobStatus, value: 'running' },
      { key: RecordCount, value: this.succeeded },
    ]);
    // One upsert per state change: the count goes out again once it has moved (and at most every PROGRESS_EVERY_MS).
    this.lastProgress = this.succeeded;
    this.lastProgressAt = Date.now();
    this.watchDeadline();
    if (this.continuedAsNew === 0) log.info(`${this.run.name}: fan-out started`, { total: this.total, maxParallel: this.run.maxParallel, queue: this.queue });

    for (;;) {
      this.dirty = false;
      if (this.crash) throw this.crash.error;
      this.fill();
      this.progress();
      this.publishDetails(false);
      if (this.sourceDone && this.buffer.length === 0 && this.batches.size === 0 && this.pending === 0) break;
      if (this.pending === 0 && historyIsLong(this.run.continueAsNewAfter)) {
        await condition(allHandlersFinished);
        log.info(`${this.run.name}: continuing as new after ${workflowInfo().historyLength} events`, { done: this.succeeded + this.failed });
        return { kind: 'continue', carry: this.carry() };
      }
      await condition(() => this.dirty);
    }
    return { kind: 'done', result: await this.finish() };
  }

  /** Starts batches while the window has room; reads the next page when the buffer runs low. */
  private fill(): void {
    // Time to continue as new: start nothing more, so the batches in flight can finish and the
    // run can hand over.
    if (historyIsLong(this.run.continueAsNewAfter)) return;
    const { size, share } = this.batchPlan();
    for (;;) {
      const free = this.run.maxParallel - this.busySlots();
      if (free <= 0 || this.buffer.length === 0) break;
      const items = this.buffer.splice(0, size);
      this.launch(items, Math.min(share, free, items.length));
    }
    if (!this.sourceDone && !this.fetching && this.sourceError === null && this.buffer.length < 2 * size) this.fetchPage();
  }

  /** Keys per batch, and each batch's share of the window (two batches share it; a small window is one batch's). */
  private batchPlan(): { size: number; share: number } {
    const share = this.run.maxParallel >= 8 ? Math.ceil(this.run.maxParallel / 2) : this.run.maxParallel;
    return { size: this.run.batchSize ?? Math.min(MAX_BATCH_SIZE, share * ROUNDS_PER_BATCH), share };
  }

  private busySlots(): number {
    let slots = 0;
    for (const batch of this.batches.values()) slots += batch.concurrency;
    return slots;
  }

  private runningKeys(): number {
    let keys = 0;
    for (const batch of this.batches.values()) keys += batch.items.length;
    return keys;
  }

  private fetchPage(): void {
    const list = this.run.retry
      ? this.run.retry.keys
      : this.run.source.kind === 'items'
        ? this.run.source.items.map((key) => ({ key, attempt: 1 }))
        : undefined;
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
    partitionPage({
      source,
      after: this.cursor.after,
      limit: PAGE_SIZE,
      jobName: this.run.name,
      businessDate: this.run.businessDate,
      runKey: workflowInfo().workflowId,
    })
      .then(
        (page: PartitionPage) => {
          if (page.total !== undefined && this.total === null) this.total = page.total;
          const last = page.keys[page.keys.length - 1];
          if (last !== undefined) this.cursor = { after: last, position: this.cursor.position + page.keys.length };
          this.took(
            page.keys.map((key) => ({ key, attempt: 1 })),
            page.done,
          );
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

  /** One batch of keys on a worker; each key's report settles it, a lost batch settles what it had done. */
  private launch(items: Item[], concurrency: number): void {
    const id = ++this.batchSeq;
    this.batches.set(id, { items, concurrency });
    this.pending++;
    const { job } = this.run.item;
    const { runPartitions } = proxyActivities<typeof activities>({
      summary:
        items.length === 1 ? `partition ${items[0]!.key}` : `partitions ${items[0]!.key} … ${items.at(-1)!.key} (${items.length}, ${concurrency} at a time)`,
      taskQueue: this.queue,
      activityId: `batch-${this.continuedAsNew}-${id}`,
      // Liveness is the heartbeat's: the batch heartbeats every second while its keys run.
      heartbeatTimeout: job.heartbeatTimeout,
      startToCloseTimeout: batchBound(job, items.length, concurrency),
      // Only a lost worker (or a worker's shutdown) fails a batch: it resumes elsewhere, skipping finished keys.
      retry: { maximumAttempts: 1 + MAX_WORKER_LOSSES, initialInterval: '1s', maximumInterval: '10s' },
    });
    // One `then` for both outcomes, no `finally`: each promise a workflow makes costs a stack
    // trace (the SDK's promise hook), and with one key per batch this is the per-partition path.
    const ended = () => {
      this.batches.delete(id);
      this.pending--;
      this.dirty = true;
    };
    runPartitions({
      fanout: this.run.name,
      businessDate: this.run.businessDate,
      fanoutId: workflowInfo().workflowId,
      item: this.batchItem,
      keys: items,
      concurrency,
    }).then(
      (result) => {
        ended();
        // A forged completion (no key holder wrote it) settles nothing: the batch's keys fail with the refusal.
        const refused = untrustedResult(result, 'runPartitions');
        if (refused) return this.batchLost(items, refused);
        for (const report of result.reports) this.settle(report);
      },
      (error: unknown) => {
        ended();
        if (isCancellation(error)) return void (this.crash ??= { error });
        this.batchLost(items, error);
      },
    );
  }

  /**
   * A batch that failed as a whole (its workers were lost too often): the keys its last
   * heartbeat reported done count as they ended, the rest fail with the batch's error.
   */
  private batchLost(items: Item[], error: unknown): void {
    const details = error instanceof ActivityFailure && error.cause instanceof TimeoutFailure ? error.cause.lastHeartbeatDetails : undefined;
    const done = new Map<string, PartitionReport>();
    const reports = (details as { done?: unknown } | undefined)?.done;
    if (Array.isArray(reports)) for (const report of reports as PartitionReport[]) if (typeof report?.key === 'string') done.set(report.key, report);
    const lostWorker = error instanceof ActivityFailure && error.cause instanceof TimeoutFailure;
    for (const item of items) {
      this.settle(
        done.get(item.key) ?? {
          key: item.key,
          attempt: item.attempt,
          ok: false,
          errorType: lostWorker ? 'WorkerLost' : 'PartitionBatchFailed',
          error: lostWorker ? `its batch lost ${1 + MAX_WORKER_LOSSES} workers in a row` : errorMessage(error),
          tries: 0,
        },
      );
    }
  }

  /** A partition's outcome. */
  private settle(report: PartitionReport): void {
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
    const failure = { key: report.key, attempt: report.attempt, errorType, error: withText ? clip(report.error ?? '', MAX_ERROR_LENGTH) : '' };
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
          details: { partition: report.key, runId: partitionRunId(workflowInfo().workflowId, report), ...(runbookUrl ? { runbookUrl } : {}) },
        },
        this.alerts,
      );
    }
  }

  private runbook(errorType: string): string | null {
    return Object.hasOwn(this.run.runbooks, errorType) ? this.run.runbooks[errorType]! : null;
  }

  private emit(
    draft: {
      type: 'failed' | 'sla_warning';
      message: string;
      errorType?: string;
      attempt?: number;
      severity?: 'warning' | 'critical';
      details: Record<string, unknown>;
    },
    seq: number,
  ): void {
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
  /**
   * The fan-out's progress on its Web UI page (its current details): counts, rate, deadline and
   * projection, failed keys by error type with their runbooks. At most once a second of
   * workflow time (a query reads it; a second's lag costs nothing), and once at the end.
   */
  private publishDetails(final: boolean): void {
    const now = Date.now();
    if (!final && now - this.lastDetailsAt < DETAILS_EVERY_MS) return;
    this.lastDetailsAt = now;
    setCurrentDetails(['```', ...fanoutStatusLines(this.snapshot()), '```'].join('\n'));
  }

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
    this.emit(
      {
        type: 'sla_warning',
        severity,
        message: `${this.run.name}: ${message}`,
        details: { total: this.total, done: this.done(), deadline: this.deadlineMs() },
      },
      seq,
    );
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
    this.publishDetails(true);
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
        runId: partitionRunId(info.workflowId, failure),
        runbookUrl: this.runbook(failure.errorType),
      })),
      failuresNotKept: this.failuresNotKept,
      input: { ...input, retry: undefined },
    };
    const summary = this.summary(status);
    log.info(`${this.run.name}: ${summary}`, { status, succeeded: this.succeeded, failed: this.failed });
    if (status !== 'success') {
      const byType = Object.fromEntries(
        result.failures.map((group) => [group.errorType, { count: group.count, runbookUrl: group.runbookUrl, keys: group.keys }]),
      );
      this.emit(
        { type: 'failed', message: summary, details: { summary: true, total: this.total, succeeded: this.succeeded, failed: this.failed, byType } },
        MAX_PARTITION_ALERTS + 1,
      );
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
      .map(
        (group) => `${group.errorType} ×${group.count}${group.keys.length ? ` (${group.keys.join(', ')}${group.count > group.keys.length ? ', …' : ''})` : ''}`,
      )
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
      running: this.runningKeys(),
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
      warnings: this.warnings,
      warned: this.warned,
      alerts: this.alerts,
      continuedAsNew: this.continuedAsNew + 1,
      sourceError: this.sourceError,
    };
  }
}

/**
 * The longest a batch can rightly take: its rounds of keys, each key its attempts with their
 * time-outs and retry intervals. A lost worker is found sooner, by the heartbeat.
 */
function batchBound(job: FanoutRun['item']['job'], keys: number, concurrency: number): number {
  const { attempts, interval, backoff, maxInterval } = job.retry;
  let waits = 0;
  for (let i = 0, delay = interval; i < attempts - 1; i++, delay = Math.min(delay * backoff, maxInterval ?? Number.POSITIVE_INFINITY)) waits += delay;
  const perKey = attempts * (job.timeout + job.killGrace) + waits;
  return Math.ceil(keys / Math.max(1, concurrency)) * perKey + 60_000;
}

function errorMessage(error: unknown): string {
  if (error instanceof ApplicationFailure || error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
