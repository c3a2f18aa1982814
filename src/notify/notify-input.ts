import { z } from 'zod';
import { positiveDuration } from '../time/duration';
import { channelSchema } from '../catalog/schema/notify-schema';
import { jobnetEventSchema } from '../events/event-schema';

/**
 * Inputs and results of notifyWorkflow and its deliverNotification activities. Pure, shared by
 * the workflow and the activity.
 */

/** Failure types of deliverNotification: the receiver refused the message (not retried), or was not reached (retried). */
export const NOTIFICATION_REJECTED = 'NotificationRejected';
export const NOTIFICATION_UNDELIVERED = 'NotificationUndelivered';

export const routedChannelSchema = z.strictObject({
  name: z.string().min(1),
  /** As in the catalog, secrets still deferred: resolved by the worker that sends. */
  channel: channelSchema,
});

export const notifyInputSchema = z.strictObject({
  /** The event's idempotency key, also the notify workflow's id: `notify:<source run>:<job>:<type>:<n>`. */
  key: z.string().min(1),
  event: jobnetEventSchema,
  channels: z.array(routedChannelSchema).min(1, 'an event is sent to at least one channel'),
  /** How long each channel is tried before its delivery is given up. */
  deliveryWindow: positiveDuration.prefault('24h'),
});
export type NotifyInput = z.input<typeof notifyInputSchema>;

export const deliveryInputSchema = z.strictObject({
  /** Unique per event and channel: receivers de-duplicate on it (Idempotency-Key, Message-ID). */
  deliveryKey: z.string().min(1),
  channelName: z.string().min(1),
  channel: channelSchema,
  event: jobnetEventSchema,
});
export type DeliveryInput = z.input<typeof deliveryInputSchema>;

export interface DeliveryReceipt {
  channelName: string;
  /** Which try of the activity got through (1 = the first). */
  attempt: number;
}

export interface ChannelOutcome {
  channelName: string;
  status: 'delivered' | 'failed';
  attempt?: number;
  error?: string;
}

export interface NotifyResult {
  key: string;
  outcomes: ChannelOutcome[];
}

/** The key a receiver sees for one event on one channel. */
export function deliveryKeyOf(eventKey: string, channelName: string): string {
  return `${eventKey}:${channelName}`;
}
