/**
 * Workflows for the notification tests: notifyWorkflow itself, and a tiny workflow that raises
 * events the way job and jobnet workflows do, so emitEvent is tested in real workflow code.
 */
import { sleep } from '@temporalio/workflow';
import type { EventDraft } from '../../src/events/event-schema';
import { eventRoutingSchema, type EventRoutingInput } from '../../src/catalog/schema/event-routing-schema';
import { emitEvent, type EmitResult } from '../../src/workflows/emit-event';

export { notifyWorkflow } from '../../src/workflows/notify';

export interface EmitterInput {
  routing?: EventRoutingInput;
  steps: { draft: EventDraft; seq?: number; sleepBefore?: string }[];
}

export async function emitterWorkflow(input: EmitterInput): Promise<EmitResult[]> {
  const routing = input.routing === undefined ? undefined : eventRoutingSchema.parse(input.routing);
  const results: EmitResult[] = [];
  for (const step of input.steps) {
    if (step.sleepBefore !== undefined) await sleep(step.sleepBefore);
    results.push(await emitEvent(step.draft, routing, step.seq === undefined ? {} : { seq: step.seq }));
  }
  return results;
}
