import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { COORDINATION_QUEUE, COORDINATION_QUEUE_PATCH } from '../contracts/coordination';
import {
  afterSatisfiedSignal,
  gateStateQuery,
  gateSuccessSignal,
  gateWaitSignal,
  type GateInput,
  type GateState,
  type AfterSatisfied,
  type GateWait,
} from '../contracts/gate';
import { gateInputSchema, gateSuccessSchema, gateWaitSchema } from './gate-schemas';
import { parseWorkflowInput } from './input';

const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;
/**
 * How long a gate keeps answering after the success, and how long it waits for one: runs of
 * the same business date start within days of each other, and each waiter has its own maxWait.
 * A later waiter finds the closed gate's result (see the joinGate activity).
 */
const GATE_LIFETIME_MS = 8 * 24 * 3_600_000;

/**
 * The meeting point of one job's run for one business date and the runs of other schedules
 * that wait for it (`after`). It ends with its state: the success, if there was one.
 */
export async function gateWorkflow(input: GateInput, carried?: GateState & { closesAt: string }): Promise<GateState> {
  const { job, businessDate } = parseWorkflowInput(gateInputSchema, input);
  const closesAt = carried?.closesAt ?? new Date(Date.now() + GATE_LIFETIME_MS).toISOString();
  const state: GateState = carried
    ? { job, businessDate, succeeded: carried.succeeded, waiting: carried.waiting }
    : { job, businessDate, succeeded: null, waiting: [] };
  const toTell: GateWait[] = [];

  setHandler(gateStateQuery, () => state);
  setHandler(gateWaitSignal, (body) => {
    const parsed = gateWaitSchema.safeParse(body);
    if (!parsed.success) return;
    if (state.succeeded) toTell.push(parsed.data);
    else if (!state.waiting.some((wait) => wait.requestId === parsed.data.requestId)) state.waiting.push(parsed.data);
  });
  setHandler(gateSuccessSignal, (body) => {
    const parsed = gateSuccessSchema.safeParse(body);
    if (!parsed.success || state.succeeded) return;
    state.succeeded = parsed.data;
    toTell.push(...state.waiting);
    state.waiting = [];
  });

  for (;;) {
    const wait = toTell.shift();
    if (wait !== undefined && state.succeeded) {
      await tell(wait, { requestId: wait.requestId, job, businessDate, by: state.succeeded });
      continue;
    }
    const info = workflowInfo();
    if (info.historyLength >= CONTINUE_AS_NEW_AFTER_EVENTS || info.continueAsNewSuggested) {
      await condition(allHandlersFinished);
      // A gate started on its first asker's queue (before the coordination queue) moves there now.
      if (patched(COORDINATION_QUEUE_PATCH))
        return makeContinueAsNewFunc<typeof gateWorkflow>({ taskQueue: COORDINATION_QUEUE })(input, { ...state, closesAt });
      return continueAsNew<typeof gateWorkflow>(input, { ...state, closesAt });
    }
    const remaining = Date.parse(closesAt) - Date.now();
    if (remaining <= 0 || !(await condition(() => toTell.length > 0, remaining))) {
      if (toTell.length === 0) return state;
    }
  }
}

async function tell(wait: GateWait, body: AfterSatisfied): Promise<void> {
  try {
    await getExternalWorkflowHandle(wait.waiter.workflowId, wait.waiter.runId).signal(afterSatisfiedSignal, body);
  } catch (error) {
    if (isCancellation(error)) throw error;
    // The waiter gave up (maxWait) or was terminated: nobody to tell.
    log.info(`after: ${wait.waiter.workflowId} no longer waits`, { error: error instanceof Error ? error.message : String(error) });
  }
}
