import {
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  isCancellation,
  log,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type * as EventSchema from '../events/event-schema';
import type { EventDraft, JobnetEvent } from '../events/event-schema';
import { DEFAULT_SEVERITY } from '../events/event-types';
import { DEFAULT_UI_BASE_URL, runUiUrl, runbookFor } from '../events/links';
import type { EventRouting } from '../catalog/schema/event-routing-schema';
import { routedChannels } from '../notify/route';
import type { notifyWorkflow } from './notify';

export interface EmitOptions {
  /**
   * Tells apart events of the same type about the same job in one run (the second
   * waiting_operator of a step, say). Default: the event's attempt, else 1. Emitting the same
   * type, job and seq again in the same run is a duplicate, and is not delivered again.
   */
  seq?: number;
}

export interface EmitResult {
  /** The idempotency key, also the notify workflow's id. */
  key: string;
  event: JobnetEvent;
  /** Channels the event was routed to. */
  channels: string[];
  /**
   * started: its notify workflow runs; duplicate: this event was already emitted in this run;
   * not-routed: no route matched (or no routing was given); not-started: the notify workflow
   * could not be started (logged; the run goes on).
   */
  status: 'started' | 'duplicate' | 'not-routed' | 'not-started';
}

/**
 * Raises an event from a job, jobnet or lock workflow (deterministic workflow code).
 *
 * It fills in what the raiser need not know — default severity, ids, the workflow-clock time,
 * the Web UI and runbook links, the job's group — routes the event, and when any channel
 * matches starts `notifyWorkflow` as a child whose id is the event's idempotency key:
 *
 * - it waits only until the child has started, never for the delivery, so a Slack that is down
 *   neither delays nor fails the run;
 * - the child is abandoned when the run closes and is not cancelled with it, so delivery
 *   outlives the job (an aborted job's alert still goes out);
 * - a second start with the same key is refused by the server, even after the first has
 *   finished, so an event is delivered once per run however often the code path runs.
 */
export async function emitEvent(draft: EventDraft, routing: EventRouting | undefined, options: EmitOptions = {}): Promise<EmitResult> {
  const info = workflowInfo();
  const candidate = {
    ...draft,
    severity: draft.severity ?? DEFAULT_SEVERITY[draft.type],
    jobnet: draft.jobnet ?? routing?.jobnet,
    group: draft.group ?? routing?.group,
    workflowId: info.workflowId,
    runId: info.runId,
    namespace: info.namespace,
    // The workflow clock: the same on every replay.
    at: new Date().toISOString(),
    uiUrl: runUiUrl(routing?.uiBaseUrl ?? DEFAULT_UI_BASE_URL, info.namespace, info.workflowId, info.runId),
    runbookUrl: runbookFor(routing?.runbooks ?? {}, draft.errorType),
  };
  // A malformed draft is a bug in the raising workflow: it fails the workflow task (not the
  // run), which Temporal retries until fixed code is deployed; the event is not lost.
  // Loaded here, not at the top: the schema is built only by runs that raise an event (every
  // workflow run evaluates the modules it imports afresh).
  const { jobnetEventSchema } = require('../events/event-schema') as typeof EventSchema;
  const event = jobnetEventSchema.parse(candidate);
  const seq = options.seq ?? event.attempt ?? 1;
  const key = `notify:${info.workflowId}:${info.runId}:${event.job}:${event.type}:${seq}`;

  if (!routing) return { key, event, channels: [], status: 'not-routed' };
  const { channels, unknown } = routedChannels(event, routing);
  if (unknown.length > 0) log.warn(`notification ${key}: routes name channels that are not defined: ${unknown.join(', ')}`);
  const names = channels.map((channel) => channel.name);
  if (channels.length === 0) return { key, event, channels: names, status: 'not-routed' };

  try {
    // Not cancellable: an event raised while the run is being cancelled (an operator's abort)
    // must still get its notify workflow started.
    await CancellationScope.nonCancellable(() =>
      startChild<typeof notifyWorkflow>('notifyWorkflow', {
        workflowId: key,
        args: [{ key, event, channels }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      }),
    );
    return { key, event, channels: names, status: 'started' };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { key, event, channels: names, status: 'duplicate' };
    if (isCancellation(error)) throw error;
    log.error(`notification ${key} could not be started: ${error instanceof Error ? error.message : String(error)}`);
    return { key, event, channels: names, status: 'not-started' };
  }
}
