import type { EventType, JobnetEvent } from '../events/event-schema';

/** What every channel's message says, worded once so Slack, e-mail and webhooks agree. */

const PHRASES: Record<EventType, string> = {
  started: 'started',
  succeeded: 'succeeded',
  failed: 'failed',
  timeout: 'timed out',
  worker_lost: 'lost its worker',
  retry_scheduled: 'failed; a delayed retry is scheduled',
  retry_succeeded: 'succeeded on its delayed retry',
  retry_failed: 'failed its delayed retry',
  sla_warning: 'is running late',
  record_count_anomaly: 'processed unusually few records',
  consecutive_failures: 'failed several runs in a row',
  waiting_operator: 'waits for an operator',
  lock_wait_timeout: 'gave up waiting for a lock',
  lock_unavailable: 'found its lock held',
  after_timeout: 'gave up waiting for an upstream run',
  delayed_retry_threshold: 'needed many delayed retries this month',
};

export const SEVERITY_MARK: Record<JobnetEvent['severity'], string> = {
  critical: '🔴',
  warning: '🟠',
  info: '🟢',
};

/** "daily-ranking / rank" for a step, "BATCH-001" for a job of its own. */
export function subjectOf(event: JobnetEvent): string {
  return event.jobnet !== undefined && event.jobnet !== event.job ? `${event.jobnet} / ${event.job}` : event.job;
}

/** "BATCH-001 failed" */
export function titleOf(event: JobnetEvent): string {
  return `${subjectOf(event)} ${PHRASES[event.type]}`;
}

/** The facts an operator checks first, in reading order; absent ones are left out. */
export function factsOf(event: JobnetEvent): [label: string, value: string][] {
  const facts: [string, string | undefined][] = [
    ['Severity', event.severity.toUpperCase()],
    ['Business date', event.businessDate],
    ['Job', event.job],
    ['Jobnet', event.jobnet],
    ['Group', event.group],
    ['Attempt', event.attempt?.toString()],
    ['Error type', event.errorType],
    ['At', event.at],
  ];
  return facts.filter((fact): fact is [string, string] => fact[1] !== undefined);
}

/** Cuts text to `max` characters, saying so, for channels with size limits. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
