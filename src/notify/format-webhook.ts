import type { JobnetEvent } from '../events/event-schema';
import { titleOf } from './format-common';

/**
 * The body of a generic JSON webhook: the event exactly as the schema defines it, so a
 * receiver (a pager, a ticket system, a script) can rely on one documented shape, plus the
 * idempotency key to de-duplicate on and a one-line summary for receivers that only show text.
 */
export interface WebhookBody {
  version: 1;
  idempotencyKey: string;
  summary: string;
  event: JobnetEvent;
}

export function formatWebhook(event: JobnetEvent, idempotencyKey: string): WebhookBody {
  return { version: 1, idempotencyKey, summary: `${event.severity.toUpperCase()}: ${titleOf(event)} (${event.businessDate})`, event };
}
