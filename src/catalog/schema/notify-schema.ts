import { z } from 'zod';
import { jobNameSchema } from './job-name';
import { hostUrlSchema, nameSchema, uniqueNames } from './catalog-values';
import { severitySchema } from '../../events/event-schema';
import { EVENT_TYPES, SEVERITIES } from '../../events/event-types';

/**
 * Where events go (DESIGN.md §4 `notify:`): named channels, and routes from an event's
 * severity (and optionally its job, its job's group or its type) to channels. A change of
 * recipients is an edit here and a `jobnet sync`; the matching itself is src/notify/route.ts.
 *
 * The URLs of channels are secrets, written as `${SLACK_WEBHOOK_URL}`: they stay as written
 * wherever the catalog is read, and the worker that sends resolves them from its own
 * environment (host-values.ts, `resolveOnHost`).
 */

export const CHANNEL_TYPES = ['slack', 'email', 'webhook'] as const;

const slackChannelSchema = z.strictObject({
  type: z.literal('slack'),
  webhookUrl: hostUrlSchema(['https', 'http']),
});

const emailSchema = z.email({ error: (issue) => `${JSON.stringify(issue.input)} is not an e-mail address, e.g. ops@example.com` });

const emailChannelSchema = z.strictObject({
  type: z.literal('email'),
  to: z.array(emailSchema).min(1, 'name at least one recipient'),
  from: emailSchema,
  smtpUrl: hostUrlSchema(['smtp', 'smtps']),
});

const webhookChannelSchema = z.strictObject({
  type: z.literal('webhook'),
  url: hostUrlSchema(['https', 'http']),
});

export const channelSchema = z.discriminatedUnion('type', [slackChannelSchema, emailChannelSchema, webhookChannelSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? `a channel has a type: ${CHANNEL_TYPES.join(', ')}` : undefined),
});

const eventTypeNameSchema = z.enum(EVENT_TYPES, { error: (issue) => `"${String(issue.input)}" is not an event type: ${EVENT_TYPES.join(', ')}` });

export const routeSchema = z.strictObject({
  severity: z.array(severitySchema).min(1, `name at least one severity: ${SEVERITIES.join(', ')}`),
  /** Channels of `notify.channels` that receive the matching events. */
  channels: uniqueNames(nameSchema('channel')).min(1, 'name at least one channel'),
  /** Only events of these jobs or jobnets; all when absent. */
  jobs: uniqueNames(jobNameSchema).optional(),
  /** Only events of jobs in these groups (a job's `group`, e.g. a team); all when absent. */
  groups: uniqueNames(nameSchema('group')).optional(),
  /** Only events of these types (e.g. consecutive_failures); all when absent. */
  events: z.array(eventTypeNameSchema).min(1, 'name at least one event type, or leave events out for all').optional(),
});

export const notifySchema = z.strictObject({
  channels: z.record(nameSchema('channel'), channelSchema).default({}),
  routes: z.array(routeSchema).default([]),
});

export type Channel = z.output<typeof channelSchema>;
export type Route = z.output<typeof routeSchema>;
export type Notify = z.output<typeof notifySchema>;
