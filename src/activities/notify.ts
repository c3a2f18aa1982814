import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { UnsetVariableError, isDeferred, resolveOnHost, resolveSecret } from '../catalog/schema/interpolate';
import type { Channel } from '../catalog/schema/notify-schema';
import type { JobnetEvent } from '../events/event-schema';
import { DeliveryError } from '../notify/delivery-error';
import { formatEmail } from '../notify/format-email';
import { formatSlack } from '../notify/format-slack';
import { formatWebhook } from '../notify/format-webhook';
import { NOTIFICATION_REJECTED, NOTIFICATION_UNDELIVERED, deliveryInputSchema, type DeliveryInput, type DeliveryReceipt } from '../notify/notify-input';
import { postJson } from '../notify/post-json';
import { sendEmail } from '../notify/send-email';

/**
 * Sends one event to one channel, once per try; throws when it did not get through so
 * Temporal retries it (notifyWorkflow sets the policy). The channel's secrets are resolved
 * here, from this worker's environment, and never leave it.
 *
 * Idempotency: every try carries the same delivery key — the `Idempotency-Key` header of
 * Slack and webhook requests, the e-mail's Message-ID — so a receiver that got a message whose
 * answer was lost can recognise the retry. Slack itself ignores the header: a Slack message
 * is repeated only when Slack took it and its answer was lost on the way back.
 */
export async function deliverNotification(input: DeliveryInput): Promise<DeliveryReceipt> {
  const { deliveryKey, channelName, channel, event } = deliveryInputSchema.parse(input);
  const context = Context.current();
  const attempt = context.info.attempt;
  const ready = withResolvedLinks(event);
  try {
    await send(channel, ready, deliveryKey, attempt);
  } catch (error) {
    // The worker logs the failure of every try, with this message.
    throw asFailure(channelName, error);
  }
  context.log.info(`notification ${deliveryKey} delivered to "${channelName}" (try ${attempt})`);
  return { channelName, attempt };
}

async function send(channel: Channel, event: JobnetEvent, deliveryKey: string, attempt: number): Promise<void> {
  const headers = { 'idempotency-key': deliveryKey, 'x-jobnet-event': event.type, 'x-jobnet-delivery-attempt': String(attempt) };
  switch (channel.type) {
    case 'slack':
      return postJson(onThisHost(channel.webhookUrl), formatSlack(event), headers);
    case 'webhook':
      return postJson(onThisHost(channel.url), formatWebhook(event, deliveryKey), headers);
    case 'email':
      return sendEmail({ smtpUrl: onThisHost(channel.smtpUrl), from: channel.from, to: channel.to, messageId: messageIdOf(deliveryKey) }, formatEmail(event));
  }
}

/** A channel URL as written in the catalog (`${SLACK_WEBHOOK_URL}`), resolved from this worker's environment. */
function onThisHost(template: string): string {
  return resolveOnHost(template).value;
}

/**
 * A runbook link written with a variable (`${WIKI}/deadlock`) is resolved here like a channel
 * URL; when this worker cannot resolve it, the message goes without it rather than not at all.
 */
function withResolvedLinks(event: JobnetEvent): JobnetEvent {
  if (event.runbookUrl === undefined || !isDeferred(event.runbookUrl)) return event;
  try {
    return { ...event, runbookUrl: resolveSecret(event.runbookUrl) };
  } catch {
    const { runbookUrl: _unresolved, ...rest } = event;
    return rest;
  }
}

/** `<key@jobnet>` with only the characters a Message-ID may hold. */
function messageIdOf(deliveryKey: string): string {
  return `<${deliveryKey.replace(/[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]/g, '.')}@jobnet>`;
}

function asFailure(channelName: string, error: unknown): ApplicationFailure {
  const where = `channel "${channelName}"`;
  if (error instanceof DeliveryError) {
    return error.retryable
      ? ApplicationFailure.retryable(`${where} ${error.message}`, NOTIFICATION_UNDELIVERED)
      : ApplicationFailure.nonRetryable(`${where} ${error.message} (not retried)`, NOTIFICATION_REJECTED);
  }
  // An unset secret is retried: setting it on the worker and restarting it lets the alert through.
  if (error instanceof UnsetVariableError) return ApplicationFailure.retryable(`${where}: ${error.message} on this worker`, NOTIFICATION_UNDELIVERED);
  return ApplicationFailure.retryable(`${where}: ${error instanceof Error ? error.message : String(error)}`, NOTIFICATION_UNDELIVERED);
}
