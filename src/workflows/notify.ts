import { ActivityFailure, ApplicationFailure, isCancellation, log, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
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
 * How long one channel is tried before its delivery is given up: a Slack outage of a few
 * hours still gets the alert through afterwards, and nothing is retried for ever.
 */
export const DELIVERY_WINDOW = '24h';

/**
 * Each channel is its own activity with its own retries: a Slack that is down delays neither the
 * e-mail nor the pager. Tries come quickly at first (a blip), then once a minute.
 */
const DELIVERY_OPTIONS: ActivityOptions = {
  // An attempt is one HTTP request or SMTP session with its own 10–20 s time-outs.
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: DELIVERY_WINDOW,
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    nonRetryableErrorTypes: [NOTIFICATION_REJECTED],
  },
};

/**
 * Delivers one event to the channels it was routed to, in parallel, and reports each channel's
 * outcome. It runs as its own workflow (started by `emitEvent` with the event's idempotency
 * key as its id), so the job that raised the event neither waits for nor fails with it, and
 * delivery goes on after the job has finished.
 *
 * A channel that could not be reached within DELIVERY_WINDOW, or that refused the message,
 * fails this workflow after the other channels are done: a failed `notify:…` run in the Web
 * UI is how an operator learns that an alert did not arrive.
 */
export async function notifyWorkflow(input: NotifyInput): Promise<NotifyResult> {
  const run = parseWorkflowInput(notifyInputSchema, input);
  const { deliverNotification } = proxyActivities<typeof activities>(DELIVERY_OPTIONS);

  const outcomes = await Promise.all(
    run.channels.map(async ({ name, channel }): Promise<ChannelOutcome> => {
      try {
        const receipt = await deliverNotification({ deliveryKey: deliveryKeyOf(run.key, name), channelName: name, channel, event: run.event });
        return { channelName: name, status: 'delivered', attempt: receipt.attempt };
      } catch (failure) {
        if (isCancellation(failure)) throw failure;
        return { channelName: name, status: 'failed', error: reasonOf(failure) };
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
function reasonOf(failure: unknown): string {
  if (failure instanceof ActivityFailure && failure.cause) return failure.cause.message;
  return failure instanceof Error ? failure.message : String(failure);
}
