import { defineQuery, defineSignal } from '@temporalio/workflow';
import { z } from 'zod';
import { runRefSchema } from './lock-definitions';

/**
 * The messages of cross-schedule dependencies (`after`). One gate workflow per job and business
 * date (`after:<job>@<date>`) remembers whether that job's run succeeded and tells every run
 * waiting for it — event-driven: nobody polls visibility. The job's successful run announces
 * itself; a waiting run registers; whichever comes second completes the meeting.
 */

export const gateWorkflowId = (job: string, businessDate: string): string => `after:${job}@${businessDate}`;

export const gateInputSchema = z.object({ job: z.string().min(1), businessDate: z.string().min(1) });
export type GateInput = z.infer<typeof gateInputSchema>;

export const gateWaitSchema = z.object({ requestId: z.string().min(1), waiter: runRefSchema });
export type GateWait = z.infer<typeof gateWaitSchema>;

export const gateSuccessSchema = z.object({ workflowId: z.string().min(1), runId: z.string().min(1), at: z.string() });
export type GateSuccess = z.infer<typeof gateSuccessSchema>;

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
