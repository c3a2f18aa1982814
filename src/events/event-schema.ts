import { z } from 'zod';
import { DEFAULT_SEVERITY, EVENT_TYPES, SEVERITIES, type EventType } from './event-types';
import type { JobnetEvent } from '../contracts/events';
import { sameType } from '../validation/same-type';

export const severitySchema = z.enum(SEVERITIES);

/**
 * The one event payload of jobnet (DESIGN.md §5.7): what every notification channel, the
 * webhook receivers and the tests see. Workflows build it (src/workflows/emit-event.ts), so
 * this module stays pure: no Node APIs.
 */

export { DEFAULT_SEVERITY, EVENT_TYPES, type EventType };

export const eventTypeSchema = z.enum(EVENT_TYPES);

export const jobnetEventSchema = z.strictObject({
  type: eventTypeSchema,
  severity: severitySchema,
  /** The job (or the jobnet step's job) the event is about; for a jobnet-wide event, the jobnet. */
  job: z.string().min(1),
  /** The jobnet whose run this job belongs to, when it runs as a step. */
  jobnet: z.string().min(1).optional(),
  /** The job's `group` in the catalog (a team, a system), for routing. */
  group: z.string().min(1).optional(),
  /** The Temporal run that raised the event: where an operator looks. */
  workflowId: z.string().min(1),
  runId: z.string().min(1),
  namespace: z.string().min(1),
  businessDate: z.string().min(1),
  /** When it happened, on the workflow clock (ISO 8601). */
  at: z.string().min(1),
  /** One sentence an operator reads first. */
  message: z.string(),
  /** The error's type (`DeadlockError`, `exit:2`, `JobTimeout`…), which selects the runbook. */
  errorType: z.string().min(1).optional(),
  /** The attempt the event is about, counted from 1 over the whole run. */
  attempt: z.int().min(1).optional(),
  /** The run in the Temporal Web UI. */
  uiUrl: z.string().min(1),
  /** The job's runbook for this error type, when it has one (`runbooks:` in the catalog). */
  runbookUrl: z.string().min(1).optional(),
  /** Figures particular to the type: record counts and ratios, the failure streak, the retry time… */
  details: z.record(z.string(), z.unknown()).default({}),
});

export type { JobnetEvent } from '../contracts/events';
sameType<z.output<typeof jobnetEventSchema>, JobnetEvent>(true);
export type JobnetEventInput = z.input<typeof jobnetEventSchema>;

/**
 * What a workflow says when it raises an event; the rest (severity by default, ids, time,
 * links, and jobnet and group when the routing input knows them) is filled in by `emitEvent`.
 */
export const eventDraftSchema = jobnetEventSchema
  .pick({ type: true, job: true, jobnet: true, group: true, businessDate: true, message: true, errorType: true, attempt: true, details: true })
  .extend({ severity: severitySchema.optional() });

export type EventDraft = z.input<typeof eventDraftSchema>;

export { runUiUrl, runbookFor } from './links';
