import { z } from 'zod';
import { channelSchema, routeSchema } from './notify-schema';
import { DEFAULT_UI_BASE_URL } from '../../events/links';
import type { EventRouting } from '../../contracts/events';
import { sameType } from '../../validation/same-type';

/**
 * What a run needs to raise and route its events: the catalog's `notify:` section (only the
 * channels and routes that can concern this job), the job's group and runbooks, and where the
 * Web UI is. Embedded in the input of job, jobnet and lock workflows as `notify`, built by
 * `eventRoutingFor()` (src/catalog/compile/event-routing.ts).
 *
 * Channel URLs stay deferred (`${SLACK_WEBHOOK_URL}` as written): the worker that sends
 * resolves them, so no secret is ever written into a workflow's history.
 */
export { DEFAULT_UI_BASE_URL };

export const eventRoutingSchema = z.strictObject({
  channels: z.record(z.string(), channelSchema).default({}),
  routes: z.array(routeSchema).default([]),
  /** The job's `group`, matched by routes' `groups`. */
  group: z.string().min(1).optional(),
  /** The jobnet the job runs in, matched by routes' `jobs` like the job's own name. */
  jobnet: z.string().min(1).optional(),
  /** Error type → runbook URL, from the job's `runbooks:`. */
  runbooks: z.record(z.string(), z.string()).default({}),
  /** Base of the Temporal Web UI links: $JOBNET_UI_URL where the run was started. */
  uiBaseUrl: z.string().min(1).default(DEFAULT_UI_BASE_URL),
});

export type { EventRouting } from '../../contracts/events';
export type EventRoutingInput = z.input<typeof eventRoutingSchema>;
sameType<z.output<typeof eventRoutingSchema>, EventRouting>(true);
