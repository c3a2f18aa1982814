import { z } from 'zod';
import { runRefSchema } from './lock-schemas';

/**
 * The gate's messages as zod schemas: the gate workflow validates what it receives with them.
 * Apart from gate-definitions.ts so that a job waiting on `after` does not build them.
 */

export const gateInputSchema = z.object({ job: z.string().min(1), businessDate: z.string().min(1) });
export type GateInput = z.infer<typeof gateInputSchema>;

export const gateWaitSchema = z.object({ requestId: z.string().min(1), waiter: runRefSchema });
export type GateWait = z.infer<typeof gateWaitSchema>;

export const gateSuccessSchema = z.object({ workflowId: z.string().min(1), runId: z.string().min(1), at: z.string() });
export type GateSuccess = z.infer<typeof gateSuccessSchema>;
