import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation, log, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import { formatDuration } from '../time/duration-format';
import type * as activities from '../activities';
import {
  NOTIFICATION_REJECTED,
  NOTIFICATION_UNDELIVERED,
  deliveryKeyOf,
  notifyInputSchema,
  type ChannelOutcome,
  type NotifyInput,
  type NotifyResult,
} from '../notify/notify-input';
import { parseWorkflowInput } from './input';

/**
 * Each channel is its own activity with its own retries: a Slack that is down delays neither the
 * e-mail nor the pager. Tries come quickly at first (a blip), then once a minute, until the
 * delivery window (default 24 h) is over: a Slack outage of hours still gets the alert through
 * afterwards, and nothing is retried for ever.
 */
function deliveryOptions(deliveryWindowMs: number): ActivityOptions {
  return {
    // An attempt is one HTTP request or SMTP session with its own 10–20 s time-outs.
    startToCloseTimeout: '1m',
    scheduleToCloseTimeout: deliveryWindowMs,
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '1m',
      nonRetryableErrorTypes: [NOTIFICATION_REJECTED],
    },
  };
}

/**
 * Delivers one event to the channels it was routed to, in parallel, and reports each channel's
 * outcome. It runs as its own workflow (started by `emitEvent` with the event's idempotency
 * key as its id), so the job that raised the event neither waits for nor fails with it, and
 * delivery goes on after the job has finished.
 *
 * A channel that could not be reached within the delivery window, or that refused the message,
 * fails this workflow after the other channels are done: a failed `notify:…` run in the Web
 * UI is how an operator learns that an alert did not arrive.
 */
export async function notifyWorkflow(input: NotifyInput): Promise<NotifyResult> {
  const run = parseWorkflowInput(notifyInputSchema, input);
  const { deliverNotification } = proxyActivities<typeof activities>(deliveryOptions(run.deliveryWindow));

  const outcomes = await Promise.all(
    run.channels.map(async ({ name, channel }): Promise<ChannelOutcome> => {
      try {
        const receipt = await deliverNotification({ deliveryKey: deliveryKeyOf(run.key, name), channelName: name, channel, event: run.event });
        return { channelName: name, status: 'delivered', attempt: receipt.attempt };
      } catch (failure) {
        if (isCancellation(failure)) throw failure;
        return { channelName: name, status: 'failed', error: reasonOf(failure, run.deliveryWindow) };
      }
    }),
  );

  const result: NotifyResult = { key: run.key, outcomes };
  const failed = outcomes.filter((outcome) => outcome.status === 'failed');
  if (failed.length > 0) {
    log.error(`event ${run.key} not delivered to ${failed.map((f) => f.channelName).join(', ')}`, { outcomes });
    throw ApplicationFailure.create({
      type: NOTIFICATION_UNDELIVERED,
      message: `${run.event.type} of ${run.event.job} (${run.event.businessDate}) not delivered: ${failed.map((f) => `${f.channelName}: ${f.error ?? 'failed'}`).join('; ')}`,
      nonRetryable: true,
      details: [result],
    });
  }
  return result;
}

/** The activity's own message ("channel "ops-slack" answered HTTP 404…"), not the wrapper's. */
function reasonOf(failure: unknown, deliveryWindowMs: number): string {
  if (!(failure instanceof ActivityFailure) || !failure.cause) return failure instanceof Error ? failure.message : String(failure);
  const { cause } = failure;
  // The window ran out: either no try was left in it (the last try's failure says why) or a
  // try was cut by it (a time-out carrying the last failure).
  const last = cause instanceof TimeoutFailure ? (cause.cause ?? cause) : cause;
  return failure.retryState === RetryState.TIMEOUT || cause instanceof TimeoutFailure
    ? `gave up after ${formatDuration(deliveryWindowMs)}: ${last.message}`
    : last.message;
}
