import { condition, workflowInfo } from '@temporalio/workflow';
import type { AfterUse } from '../catalog/schema/job-schema';
import { CoordinationFailure, coordinationActivities, listenForAnswers, nextRequestId, satisfied, type Asker } from './coordination';
import { formatDuration } from '../time/duration-format';

/**
 * `after`: a job run waits for the runs of other schedules it comes after, for the same
 * business date (the gate workflow of each keeps who waits), and announces its own success.
 */

/** Waits for every `after` run in turn; fails with AfterTimeout when one does not succeed within its maxWait. */
export async function awaitPredecessors(asker: Asker, afters: readonly AfterUse[], businessDate: string): Promise<void> {
  listenForAnswers();
  const info = workflowInfo();
  for (const after of afters) {
    const requestId = nextRequestId(`after:${after.job}`);
    const since = Date.now();
    const already = await coordinationActivities().joinGate({
      job: after.job,
      businessDate,
      body: { requestId, waiter: { workflowId: info.workflowId, runId: info.runId } },
    });
    if (already) {
      asker.hooks.afterSatisfied(after.job, already.workflowId, 0);
      continue;
    }
    asker.hooks.waiting({ kind: 'after', job: after.job, since: new Date(since).toISOString() });
    const came = await condition(() => satisfied.has(requestId), after.maxWait);
    asker.hooks.waiting(null);
    if (!came) {
      throw new CoordinationFailure(
        'AfterTimeout',
        `${after.job} has not succeeded for ${businessDate} within ${formatDuration(after.maxWait)} (after of ${asker.jobName})`,
      );
    }
    asker.hooks.afterSatisfied(after.job, satisfied.get(requestId)!.by.workflowId, Date.now() - since);
  }
}

/** Tells runs waiting with `after` that this one succeeded. */
export async function announceSuccess(name: string, businessDate: string): Promise<void> {
  const info = workflowInfo();
  await coordinationActivities().announceSuccess({
    job: name,
    businessDate,
    body: { workflowId: info.workflowId, runId: info.runId, at: new Date().toISOString() },
  });
}
