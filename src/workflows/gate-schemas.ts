import { z } from 'zod';
import { sameType } from '../validation/same-type';
import type { GateInput, GateSuccess, GateWait } from '../contracts/gate';
import { runRefSchema } from './lock-schemas';

/**
 * The gate's messages as zod schemas: the gate workflow validates what it receives with them.
 * Apart from gate-definitions.ts so that a job waiting on `after` does not build them.
 */

export const gateInputSchema = z.object({ job: z.string().min(1), businessDate: z.string().min(1) });
sameType<z.output<typeof gateInputSchema>, GateInput>(true);

export const gateWaitSchema = z.object({ requestId: z.string().min(1), waiter: runRefSchema });
sameType<z.output<typeof gateWaitSchema>, GateWait>(true);

export const gateSuccessSchema = z.object({ workflowId: z.string().min(1), runId: z.string().min(1), at: z.string() });
sameType<z.output<typeof gateSuccessSchema>, GateSuccess>(true);
