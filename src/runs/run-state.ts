import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { readPayload } from '../codec/read-payload';
import { jobResultSchema } from '../catalog/schema/run-result';
import { InvalidInputError } from '../validation/validation-error';
import { jobStateQuery, type JobState } from '../contracts/job';
import { fanoutStateQuery, type FanoutState } from '../contracts/fanout';
import { fanoutOutcome } from './retry-partitions';
import { jobnetResultSchema } from '../workflows/jobnet-definitions';
import { jobnetStateQuery, type JobnetState } from '../contracts/jobnet';

/**
 * What `jobnet status` knows about one run, read from Temporal alone: a running run answers
 * its state query; a finished one is read from its result (or its failure's details), so no
 * worker is needed to look at the past.
 */

/** Progress an activity reports in its heartbeat details ({ phase, processed, total }). */
export interface Progress {
  activity: string;
  phase?: string;
  processed?: number;
  total?: number;
}

export type RunState =
  | { kind: 'job'; workflowId: string; temporalStatus: string; state?: JobState; progress: Progress[] }
  | { kind: 'jobnet'; workflowId: string; temporalStatus: string; state?: JobnetState }
  | { kind: 'fanout'; workflowId: string; temporalStatus: string; state?: FanoutState }
  | { kind: 'other'; workflowId: string; temporalStatus: string; type: string };

export async function readRunState(client: Client, workflowId: string): Promise<RunState> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe().catch((error: Error) => {
    if (error.name === 'WorkflowNotFoundError') {
      throw new InvalidInputError([{ path: workflowId, message: 'no such run (ids look like <job or jobnet>@<YYYY-MM-DD>)' }], 'arguments');
    }
    throw error;
  });
  const temporalStatus = description.status.name;
  const running = temporalStatus === 'RUNNING';
  switch (description.type) {
    case 'jobWorkflow': {
      const state = running
        ? await handle.query(jobStateQuery).catch(() => undefined)
        : await finished(handle, (value) => {
            const result = jobResultSchema.safeParse(value);
            if (!result.success) return undefined;
            const { name, businessDate, status, attempts, events } = result.data;
            return { name, businessDate, status, attempts, events, waiting: null };
          });
      const pendings = await Promise.all(
        (description.raw.pendingActivities ?? []).map(async (pending) => {
          const payload = pending.heartbeatDetails?.payloads?.[0];
          return { pending, details: payload ? await readPayload(client, payload).catch(() => undefined) : undefined };
        }),
      );
      const progress = pendings.flatMap(({ pending, details }): Progress[] => {
        if (typeof details !== 'object' || details === null) return [];
        const { phase, processed, total } = details as Record<string, unknown>;
        return [
          {
            activity: pending.activityType?.name ?? 'activity',
            ...(typeof phase === 'string' ? { phase } : {}),
            ...(typeof processed === 'number' ? { processed } : {}),
            ...(typeof total === 'number' ? { total } : {}),
          },
        ];
      });
      return { kind: 'job', workflowId, temporalStatus, ...(state ? { state } : {}), progress };
    }
    case 'jobnetWorkflow': {
      const state = running
        ? await handle.query(jobnetStateQuery).catch(() => undefined)
        : await finished(handle, (value) => {
            const result = jobnetResultSchema.safeParse(value);
            return result.success ? result.data : undefined;
          });
      return { kind: 'jobnet', workflowId, temporalStatus, ...(state ? { state } : {}) };
    }
    case 'fanoutWorkflow': {
      const state = running ? await handle.query(fanoutStateQuery).catch(() => undefined) : await fanoutOutcome(handle).catch(() => undefined);
      return { kind: 'fanout', workflowId, temporalStatus, ...(state ? { state } : {}) };
    }
    default:
      return { kind: 'other', workflowId, temporalStatus, type: description.type };
  }
}

/** A finished run's outcome: its result, or the details of its failure. */
async function finished<T>(handle: WorkflowHandle, parse: (value: unknown) => T | undefined): Promise<T | undefined> {
  const value = await handle.result().then(
    (result: unknown) => result,
    (error: unknown) => (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure ? error.cause.details?.[0] : undefined),
  );
  return parse(value);
}
