/**
 * Events as runs raise them and channels receive them: their types with default severities,
 * the routing a run carries (`notify`), and the event payload. Plain types, importing nothing of
 * the project; the zod schemas beside them are src/events/event-schema.ts and
 * src/catalog/schema/event-routing-schema.ts.
 */

export type Severity = 'critical' | 'warning' | 'info';

/** Every kind of event jobnet raises, with the severity it has unless the raiser says otherwise. */
export const DEFAULT_SEVERITY = {
  started: 'info',
  succeeded: 'info',
  /** The immediate attempts are exhausted (or a non-retryable error ended them). */
  failed: 'critical',
  /** Like `failed`, but the last attempt ran past its time-out and was killed. */
  timeout: 'critical',
  /** The worker running the job vanished (heartbeat time-out). */
  worker_lost: 'critical',
  /** A single delayed retry waits on a durable timer. */
  retry_scheduled: 'warning',
  retry_succeeded: 'info',
  retry_failed: 'critical',
  /** Still running past `warnAfter`, or a jobnet past its deadline; the run goes on. */
  sla_warning: 'warning',
  /** Fewer records than `expect.minRecordRatio` of the previous business date. */
  record_count_anomaly: 'warning',
  /** The job failed this many runs in a row (seed 003 alerts at 3). */
  consecutive_failures: 'critical',
  /** A failed step waits for an operator to retry, skip or abort it (`onFailure: wait`). */
  waiting_operator: 'warning',
  /** A `wait` lock was not acquired within its maxWait. */
  lock_wait_timeout: 'critical',
  /** A `fail-fast` lock was held by another run. */
  lock_unavailable: 'warning',
  /** The run of another schedule named in `after` did not succeed within its maxWait. */
  after_timeout: 'critical',
  /** Delayed retries this month passed the catalog's threshold (seed 000). */
  delayed_retry_threshold: 'warning',
} as const satisfies Record<string, 'critical' | 'warning' | 'info'>;

export type EventType = keyof typeof DEFAULT_SEVERITY;

export const EVENT_TYPES = Object.keys(DEFAULT_SEVERITY) as [EventType, ...EventType[]];

export type Channel = { type: 'slack'; webhookUrl: string } | { type: 'email'; to: string[]; from: string; smtpUrl: string } | { type: 'webhook'; url: string };

export interface Route {
  severity: Severity[];
  channels: string[];
  jobs?: string[] | undefined;
  groups?: string[] | undefined;
  events?: EventType[] | undefined;
}

/**
 * What a run needs to raise and route its events: the channels and routes that can concern it
 * (URLs as the catalog writes them, `${VAR}` resolved by the worker that sends), its group, its
 * jobnet, its runbooks and where the Web UI is.
 */
export interface EventRouting {
  channels: Record<string, Channel>;
  routes: Route[];
  group?: string | undefined;
  jobnet?: string | undefined;
  runbooks: Record<string, string>;
  uiBaseUrl: string;
}

/** The one event payload of jobnet (DESIGN.md §5.7). */
export interface JobnetEvent {
  type: EventType;
  severity: Severity;
  job: string;
  jobnet?: string | undefined;
  group?: string | undefined;
  workflowId: string;
  runId: string;
  namespace: string;
  businessDate: string;
  at: string;
  message: string;
  errorType?: string | undefined;
  attempt?: number | undefined;
  uiUrl: string;
  runbookUrl?: string | undefined;
  details: Record<string, unknown>;
}
