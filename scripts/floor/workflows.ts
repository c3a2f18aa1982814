/**
 * The floor of the benchmarks (DESIGN.md §9): the plainest Temporal SDK code of each shape a
 * jobnet bench measures — no codec, no validation, no run log, no events — run on the same
 * server in the same bench run, so a figure can be read as jobnet ÷ what Temporal itself costs.
 */
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type * as activities from './activities';

const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');

const { spawnTrue, sleepMs, appendStart } = proxyActivities<typeof activities>({ startToCloseTimeout: '1m' });
/** The same activity with the liveness jobnet's batches have: a heartbeat time-out (jobnet's default, 30 s). */
const guarded = proxyActivities<typeof activities>({ startToCloseTimeout: '1m', heartbeatTimeout: '30s' });

/** N steps one after another, each one activity spawning `true`. */
export async function chainedActivities(steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await spawnTrue();
}

/** N steps one after another, each a child workflow running one such activity. */
export async function chainedChildren(steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await executeChild(oneStep, { workflowId: `${workflowInfo().workflowId}/${i}` });
}

export async function oneStep(): Promise<void> {
  await spawnTrue();
}

/** N items of `ms` each, at most `window` at a time, as activities (a sliding window). */
export async function fanoutActivities(items: number, ms: number, window: number): Promise<void> {
  await slidingWindow(items, window, () => sleepMs(ms));
}

/**
 * The same with what jobnet guarantees on top and the plain floor lacks: a heartbeat time-out
 * per activity (a lost worker found in 30 s, not at the attempt's time-out) — and run by a worker
 * with jobnet's codec (`floor/worker.ts --codec`), so every payload is encrypted.
 */
export async function fanoutActivitiesGuarded(items: number, ms: number, window: number): Promise<void> {
  await slidingWindow(items, window, () => guarded.sleepMs(ms));
}

/** The same, each item a child workflow running one activity. */
export async function fanoutChildren(items: number, ms: number, window: number): Promise<void> {
  await slidingWindow(items, window, (i) => executeChild(oneItem, { workflowId: `${workflowInfo().workflowId}/${i}`, args: [ms] }));
}

export async function oneItem(ms: number): Promise<void> {
  await sleepMs(ms);
}

async function slidingWindow(items: number, window: number, run: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items) await run(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, items) }, lane));
}

/** A Schedule's fire: one activity that notes when it started against the fire's nominal time. */
export async function recordStart(file: string): Promise<void> {
  const nominal = workflowInfo().typedSearchAttributes.get(ScheduledStartTime) ?? workflowInfo().startTime;
  await appendStart(file, nominal.getTime());
}
