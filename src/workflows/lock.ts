import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import { COORDINATION_QUEUE, COORDINATION_QUEUE_PATCH } from '../contracts/coordination';
import {
  lockDeniedSignal,
  lockGrantedSignal,
  lockReleaseSignal,
  lockRequestSignal,
  lockStateQuery,
  type LockAnswer,
  type LockRequest,
  type LockState,
} from '../contracts/lock';
import { lockReleaseSchema, lockRequestSchema } from './lock-schemas';
import { historyIsLong, nowIso } from './workflow-info';

/** Continue-as-new long before Temporal's history limits: the state carried is small, and a short history replays fast. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 1_000;
/** A lock nobody asked for in this long ends; the next ask starts it again. */
const IDLE_LINGER = '10m';
/** Enough finished request ids to recognise any late duplicate of a retried ask. */
const FINISHED_KEPT = 500;

const { isRunOpen } = proxyActivities<typeof activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * One lock (seed 001: BATCH-001 and BATCH-003 both rewrite Rankings and must never overlap).
 * Requests queue in arrival order; the head is granted when the lock is free. A grant lasts
 * until the holder releases it — after success, failure or cancellation — or, if the holder's
 * run vanished (terminated from outside), until its lease expires: released after the lease,
 * so a lost holder cannot block the queue for ever, but never while the holder is still open.
 */
export async function lockWorkflow(input: { lock: string }, carried?: LockState): Promise<LockState> {
  const lock = input.lock;
  const state: LockState = carried ?? { lock, holder: null, queue: [], arrivals: 0, finished: [] };
  const denials: LockRequest[] = [];
  const finish = (requestId: string) => {
    state.finished.push(requestId);
    if (state.finished.length > FINISHED_KEPT) state.finished.splice(0, state.finished.length - FINISHED_KEPT);
  };
  const known = (requestId: string) =>
    state.holder?.request.requestId === requestId || state.queue.some((entry) => entry.request.requestId === requestId) || state.finished.includes(requestId);

  setHandler(lockStateQuery, () => state);
  setHandler(lockRequestSignal, (body) => {
    const parsed = lockRequestSchema.safeParse(body);
    if (!parsed.success) {
      log.warn(`lock ${lock}: malformed request ignored`, { error: parsed.error.message });
      return;
    }
    const request = parsed.data;
    if (known(request.requestId)) return;
    if (request.tryOnly && (state.holder !== null || state.queue.length > 0)) {
      finish(request.requestId);
      denials.push(request);
      return;
    }
    state.queue.push({ request, arrival: ++state.arrivals, queuedAt: nowIso() });
  });
  setHandler(lockReleaseSignal, (body) => {
    const parsed = lockReleaseSchema.safeParse(body);
    if (!parsed.success) return;
    const { requestId } = parsed.data;
    if (state.holder?.request.requestId === requestId) state.holder = null;
    else state.queue = state.queue.filter((entry) => entry.request.requestId !== requestId);
    // Also when unknown: a withdrawal may overtake nothing, but a late duplicate of the request must not queue.
    finish(requestId);
  });

  for (;;) {
    const denied = denials.shift();
    if (denied !== undefined) {
      const holder = state.holder;
      const heldBy = holder ? { workflowId: holder.request.holder.workflowId, jobName: holder.request.jobName, since: holder.grantedAt } : undefined;
      await answer(denied, lockDeniedSignal, { lock, requestId: denied.requestId, arrival: 0, ...(heldBy ? { heldBy } : {}) });
      continue;
    }
    if (state.holder === null && state.queue.length > 0) {
      const next = state.queue.shift()!;
      const now = Date.now();
      state.holder = {
        request: next.request,
        arrival: next.arrival,
        grantedAt: new Date(now).toISOString(),
        leaseEndsAt: new Date(now + next.request.leaseMs).toISOString(),
      };
      const delivered = await answer(next.request, lockGrantedSignal, { lock, requestId: next.request.requestId, arrival: next.arrival });
      if (!delivered && state.holder?.request.requestId === next.request.requestId) {
        log.warn(`lock ${lock}: ${next.request.holder.workflowId} is gone; passing the lock on`);
        state.holder = null;
        finish(next.request.requestId);
      }
      continue;
    }
    if (historyIsLong(CONTINUE_AS_NEW_AFTER_EVENTS)) {
      await condition(allHandlersFinished);
      // A lock started on its first asker's queue (before the coordination queue) moves there now.
      if (patched(COORDINATION_QUEUE_PATCH)) return makeContinueAsNewFunc<typeof lockWorkflow>({ taskQueue: COORDINATION_QUEUE })(input, state);
      return continueAsNew<typeof lockWorkflow>(input, state);
    }
    const holder = state.holder;
    if (holder === null) {
      const asked = await condition(() => state.queue.length > 0 || denials.length > 0, IDLE_LINGER);
      if (!asked && state.holder === null && state.queue.length === 0) return state;
      continue;
    }
    const current = holder.request.requestId;
    const remaining = Math.max(Date.parse(holder.leaseEndsAt) - Date.now(), 1);
    const changed = await condition(() => state.holder?.request.requestId !== current || denials.length > 0, remaining);
    if (changed || state.holder?.request.requestId !== current) continue;
    // The lease ran out without a release: keep it for a holder still at work, free it from a vanished one.
    if (await isRunOpen(holder.request.holder)) {
      holder.leaseEndsAt = new Date(Date.now() + holder.request.leaseMs).toISOString();
      log.info(`lock ${lock}: lease of ${holder.request.holder.workflowId} renewed; its run is still open`);
    } else if (state.holder?.request.requestId === current) {
      log.warn(`lock ${lock}: lease of ${holder.request.holder.workflowId} expired and its run is closed; lock freed`);
      state.holder = null;
      finish(current);
    }
  }
}

/** Signals the asking run; false when that run no longer exists or is closed. */
async function answer(request: LockRequest, signal: typeof lockGrantedSignal, body: LockAnswer): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(request.holder.workflowId, request.holder.runId).signal(signal, body);
    return true;
  } catch (error) {
    // The server refuses a signal to a run that is closed or unknown; core reports it as a failure.
    if (isCancellation(error)) throw error;
    log.info(`signal to ${request.holder.workflowId} not delivered`, { error: error instanceof Error ? error.message : String(error) });
    return false;
  }
}
