import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { RunRef } from './lock';

/**
 * The messages of cross-schedule dependencies (`after`). One gate workflow per job and business
 * date (`after:<job>@<date>`) remembers whether that job's run succeeded and tells every run
 * waiting for it — event-driven: nobody polls visibility. The job's successful run announces
 * itself; a waiting run registers; whichever comes second completes the meeting.
 */

export const gateWorkflowId = (job: string, businessDate: string): string => `after:${job}@${businessDate}`;

/** A gate's input: the job and business date it stands for (schema: src/workflows/gate-schemas.ts). */
export interface GateInput {
  job: string;
  businessDate: string;
}

export interface GateWait {
  requestId: string;
  waiter: RunRef;
}

export interface GateSuccess {
  workflowId: string;
  runId: string;
  at: string;
}

/** Sent to a waiting run once the job it waits for has succeeded. */
export interface AfterSatisfied {
  requestId: string;
  job: string;
  businessDate: string;
  by: GateSuccess;
}

export interface GateState {
  job: string;
  businessDate: string;
  succeeded: GateSuccess | null;
  waiting: GateWait[];
}

export const gateWaitSignal = defineSignal<[GateWait]>('gateWait');
export const gateSuccessSignal = defineSignal<[GateSuccess]>('gateSuccess');
export const afterSatisfiedSignal = defineSignal<[AfterSatisfied]>('afterSatisfied');
export const gateStateQuery = defineQuery<GateState>('gateState');
