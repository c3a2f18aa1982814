import { CancellationScope, isCancellation, log, patched, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';
import type { CurrentRun } from '../activities/checks-rules';
import { formatDuration } from '../time/duration-format';
import type { JobRun } from '../catalog/schema/job-schema';
import { DEFAULT_CONSECUTIVE_FAILURES } from '../catalog/schema/job-rules';
import type { JobEvent } from '../catalog/schema/run-result';
import { DEFAULT_SEVERITY, EVENT_TYPES, type EventType } from '../events/event-types';
import type { EventDraft } from '../events/event-schema';
import { routeEvent } from '../notify/route';
import { emitEvent } from './emit-event';
import { clip } from '../text/clip';

/** An operator reads the message first; a command's whole stderr tail belongs in the Web UI. */
const MAX_MESSAGE_LENGTH = 4_000;

/**
 * The checks only read visibility; when it does not answer, the run is not the worse for a
 * missing warning (logged), so they are tried briefly and never hold the run up for long.
 */
const checks = proxyActivities<typeof activities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 3, initialInterval: '1s' },
});

type Extra = Omit<JobEvent, 'type' | 'at'>;

const isEventType = (type: string): type is EventType => (EVENT_TYPES as readonly string[]).includes(type);

/**
 * What a job run tells operators: each event it notes goes to the routed channels (through
 * `emitEvent`, once per run), and the checks of the catalog — warnAfter, expect.minRecordRatio,
 * consecutiveFailures, delayedRetry.monthlyThreshold — raise their own events.
 *
 * Raising does not wait: the notify child is started alongside the run's work (about 0.1 s
 * each) and `settle()` waits for every start before the run ends, so an alert never delays a
 * job and is never lost with a run that has ended.
 */
const CHECK_EVENTS = ['sla_warning', 'record_count_anomaly', 'consecutive_failures', 'delayed_retry_threshold'] as const;
export type CheckEventType = (typeof CHECK_EVENTS)[number];
const isCheckEvent = (type: string): type is CheckEventType => (CHECK_EVENTS as readonly string[]).includes(type);

/**
 * Whether a configured check is made for a run no route hears: its event belongs to the run
 * (result, state query) whether or not a route delivers it. Runs recorded before made a check
 * only when routed; the patch keeps their histories replaying.
 *
 * Called once, as the hosting workflow starts (jobWorkflow, jobnetWorkflow), never where the
 * check is made: the failure streak is checked right after the run-log line, a local activity,
 * and a marker recorded there may sit one workflow task after the local activity's while a
 * replaying worker reaches the call in the earlier task — a nondeterminism error that left a
 * jobnet stuck after a worker kill in the chaos campaign.
 */
export function checksUnroutedMade(): boolean {
  return patched('checks-without-route');
}

export class JobAlerts {
  private readonly pending: Promise<void>[] = [];

  constructor(
    private readonly run: JobRun,
    private readonly startTime: string,
    /** How the run is named (a step's run is not a workflow of its own), and the numbering of its events among its step's runs. */
    private readonly ids: { workflowId: string; runId: string; seqBase: number },
    /** What `checksUnroutedMade()` said when the hosting workflow started. */
    private readonly checksUnrouted: boolean,
    /** Records a check's alert among the run's own events (its result, state query and run log). */
    private readonly recordCheck: (type: CheckEventType, message: string) => void = () => undefined,
  ) {}

  /** A noted event of the run (started, failed, retry_scheduled…); events without a notification type are only noted. */
  raise(type: string, extra: Extra): void {
    if (!isEventType(type) || !this.routed(type)) return;
    this.emit({
      type,
      message: this.messageOf(type, extra),
      ...(extra.errorType !== undefined ? { errorType: extra.errorType } : {}),
      ...(extra.attempt !== undefined ? { attempt: extra.attempt } : {}),
      details: detailsOf(extra),
    });
  }

  /**
   * warnAfter: a durable timer racing the run's work. Fired while the work goes on → one
   * sla_warning; the run does not stop. `stop()` cancels it when the work ends first.
   */
  startSlaTimer(): { stop(): Promise<void> } {
    const warnAfter = this.run.job.warnAfter;
    if (warnAfter === undefined || !this.checks('sla_warning')) return { stop: async () => undefined };
    const scope = new CancellationScope();
    const timer = scope
      .run(async () => {
        await sleep(warnAfter);
        this.emit({
          type: 'sla_warning',
          message: `${this.run.name} is still running after ${formatDuration(warnAfter)} (warnAfter); it goes on.`,
          details: { warnAfterMs: warnAfter, startTime: this.startTime },
        });
      })
      .catch((error: unknown) => {
        if (!isCancellation(error)) throw error;
      });
    return {
      stop: async () => {
        scope.cancel();
        await timer;
      },
    };
  }

  /** expect.minRecordRatio, after a success that reported its records. */
  async checkRecordCount(recordCount: number | null): Promise<void> {
    const expect = this.run.job.expect;
    if (expect === undefined || recordCount === null || !this.checks('record_count_anomaly')) return;
    const verdict = await this.check('record count', () =>
      checks.checkRecordCount({ run: this.current(), recordCount, minRecordRatio: expect.minRecordRatio }),
    );
    if (!verdict?.anomaly || verdict.previous === undefined) return;
    const percent = Math.round((verdict.ratio ?? 0) * 1000) / 10;
    this.emit({
      type: 'record_count_anomaly',
      message: `${this.run.name} processed ${recordCount} records, ${percent} % of the ${verdict.previous.recordCount} of ${verdict.previous.businessDate} (expected at least ${expect.minRecordRatio * 100} %).`,
      details: { recordCount, previous: verdict.previous, ratio: verdict.ratio, minRecordRatio: expect.minRecordRatio },
    });
  }

  /** consecutiveFailures, after a failed run. */
  async checkFailureStreak(): Promise<void> {
    if (!this.checks('consecutive_failures')) return;
    const alertAt = this.run.job.consecutiveFailures?.alertAt ?? DEFAULT_CONSECUTIVE_FAILURES;
    const repeatEvery = this.run.job.consecutiveFailures?.repeatEvery;
    const verdict = await this.check('failure streak', () =>
      checks.checkFailureStreak({ run: this.current(), alertAt, ...(repeatEvery === undefined ? {} : { repeatEvery }) }),
    );
    if (!verdict?.alert) return;
    this.emit(
      {
        type: 'consecutive_failures',
        message: `${this.run.name} has failed ${verdict.streak} runs in a row (the alert is at ${alertAt}${repeatEvery === undefined ? '' : `, then every ${repeatEvery}`}).`,
        details: { streak: verdict.streak, alertAt, workflowIds: verdict.workflowIds },
      },
      verdict.streak,
    );
  }

  /** delayedRetry.monthlyThreshold, when the delayed retry is scheduled. */
  async checkDelayedRetries(): Promise<void> {
    const threshold = this.run.job.delayedRetry?.monthlyThreshold;
    if (threshold === undefined || !this.checks('delayed_retry_threshold')) return;
    const verdict = await this.check('delayed retries this month', () => checks.checkDelayedRetries({ run: this.current(), threshold }));
    if (!verdict?.alert) return;
    this.emit({
      type: 'delayed_retry_threshold',
      message: `${this.run.name} needed its delayed retry ${verdict.count} times in ${verdict.month} (threshold ${threshold}): the upstream is late too often; review the delay.`,
      details: { month: verdict.month, count: verdict.count, threshold },
    });
  }

  /**
   * Waits until every raised event's notification has started (or was found a duplicate);
   * undefined when none was raised — the usual case, with no promise to make and await.
   */
  settle(): Promise<unknown> | undefined {
    return this.pending.length === 0 ? undefined : Promise.all(this.pending);
  }

  /** Whether a configured check is made: always, except in a run recorded before unrouted checks (see checksUnroutedMade). */
  private checks(type: CheckEventType): boolean {
    return this.checksUnrouted || this.routed(type);
  }

  /** Whether any route would deliver an event of this type from this run: events nobody hears start no notification. */
  private routed(type: EventType): boolean {
    const routing = this.run.notify;
    if (routing === undefined) return false;
    const event = { type, severity: DEFAULT_SEVERITY[type], job: this.run.name, jobnet: routing.jobnet, group: routing.group };
    return routeEvent(event, routing.routes).length > 0;
  }

  private emit(draft: Omit<EventDraft, 'job' | 'businessDate'>, seq?: number): void {
    // A step run inline is no workflow of its own: the event links to its jobnet's run and names the step's run.
    const stepRun = this.ids.workflowId === workflowInfo().workflowId ? {} : { stepRun: this.ids.workflowId };
    const event: EventDraft = {
      ...draft,
      job: this.run.name,
      businessDate: this.run.businessDate,
      message: clip(draft.message, MAX_MESSAGE_LENGTH),
      details: { ...stepRun, ...draft.details },
    };
    if (isCheckEvent(draft.type)) this.recordCheck(draft.type, event.message);
    if (!this.routed(draft.type)) return;
    this.pending.push(
      emitEvent(event, this.run.notify, { seq: this.ids.seqBase + (seq ?? draft.attempt ?? 1) }).then(
        () => undefined,
        (error: unknown) => {
          // Only a cancellation gets here (emitEvent logs every other failure and goes on).
          if (!isCancellation(error)) throw error;
        },
      ),
    );
  }

  private async check<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (isCancellation(error)) throw error;
      log.warn(`${this.run.name}: the ${what} check could not read Temporal's visibility; no alert from it for this run`, { error: String(error) });
      return undefined;
    }
  }

  private current(): CurrentRun {
    return { jobName: this.run.name, workflowId: this.ids.workflowId, runId: this.ids.runId, businessDate: this.run.businessDate, startTime: this.startTime };
  }

  private messageOf(type: EventType, extra: Extra): string {
    const name = this.run.name;
    switch (type) {
      case 'started':
        return `${name} started for business date ${this.run.businessDate}.`;
      case 'succeeded':
        return `${name} succeeded${extra.attempt !== undefined && extra.attempt > 1 ? ` on attempt ${extra.attempt}` : ''}.`;
      case 'retry_scheduled':
        return `The immediate attempts failed; ${name} runs once more at ${extra.retryAt ?? 'a later time'} (delayedRetry).`;
      case 'retry_succeeded':
        return `${name} succeeded on its delayed retry (attempt ${extra.attempt ?? '?'}).`;
      default:
        return extra.error ?? `${name}: ${type}`;
    }
  }
}

function detailsOf(extra: Extra): Record<string, unknown> {
  const { attempt: _attempt, error: _error, errorType: _errorType, ...rest } = extra;
  return Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
}
