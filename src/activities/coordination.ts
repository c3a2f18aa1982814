import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { gateSuccessSignal, gateWaitSignal, gateWorkflowId, type GateState, type GateSuccess, type GateWait } from '../contracts/gate';
import { COORDINATION_QUEUE } from '../contracts/coordination';
import { lockRequestSignal, lockWorkflowId, type LockRequest, type RunRef } from '../contracts/lock';

/**
 * The client side of locks and gates. Workflow code cannot start a workflow it only signals,
 * so the first ask goes through these activities: signal-with-start creates the lock or gate
 * workflow when it does not run yet, on the coordination queue (never the asker's: that queue's
 * workers may all be gone while the lock or gate must go on). They are idempotent: a repeated
 * request id or a second success announcement is ignored by the workflow receiving it.
 */

function client() {
  return Context.current().client;
}

/** Queues a lock request (fail-fast requests are answered at once, by signal, either way). */
export async function requestLock(request: { lock: string; body: LockRequest }): Promise<void> {
  await client().workflow.signalWithStart('lockWorkflow', {
    workflowId: lockWorkflowId(request.lock),
    taskQueue: COORDINATION_QUEUE,
    args: [{ lock: request.lock }],
    signal: lockRequestSignal,
    signalArgs: [request.body],
  });
}

/** Whether a run is still open: a lock keeps the lease of a holder that is. */
export async function isRunOpen(run: RunRef): Promise<boolean> {
  try {
    const description = await client().workflow.getHandle(run.workflowId, run.runId).describe();
    return description.status.name === 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/**
 * Registers a run waiting for `job`'s success on `businessDate`. Returns the success at once
 * when the gate already closed with one (a waiter that starts days later); otherwise the gate
 * answers by signal.
 */
export async function joinGate(request: { job: string; businessDate: string; body: GateWait }): Promise<GateSuccess | null> {
  const workflowId = gateWorkflowId(request.job, request.businessDate);
  const handle = client().workflow.getHandle(workflowId);
  try {
    const description = await handle.describe();
    if (description.status.name === 'COMPLETED') {
      const state = (await handle.result()) as GateState;
      if (state.succeeded) return state.succeeded;
    }
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  await client().workflow.signalWithStart('gateWorkflow', {
    workflowId,
    taskQueue: COORDINATION_QUEUE,
    args: [{ job: request.job, businessDate: request.businessDate }],
    signal: gateWaitSignal,
    signalArgs: [request.body],
  });
  return null;
}

/** Tells the gate of `job` on `businessDate` that its run succeeded (once; repeats are ignored). */
export async function announceSuccess(request: { job: string; businessDate: string; body: GateSuccess }): Promise<void> {
  await client().workflow.signalWithStart('gateWorkflow', {
    workflowId: gateWorkflowId(request.job, request.businessDate),
    taskQueue: COORDINATION_QUEUE,
    args: [{ job: request.job, businessDate: request.businessDate }],
    signal: gateSuccessSignal,
    signalArgs: [request.body],
  });
}
