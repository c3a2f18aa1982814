/**
 * Runs of the seed 001 fixture catalog's jobs for the coordination tests: start one as a real
 * jobWorkflow, read its result (also of a failed run), poll its state, and read the trace its
 * command wrote ("<job> start <ms>" / "<job> end <ms>" lines).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { parseCatalog } from '../../src/catalog/load/load';
import { jobSpecOf } from '../../src/catalog/compile/job-spec';
import { bindCommandVariables } from './host-values';
import { jobResultSchema, type JobResult } from '../../src/catalog/schema/run-result';
import type { jobWorkflow } from '../../src/workflows';
import { jobStateQuery, type JobState } from '../../src/workflows/definitions';

export const SEED_001 = path.join(__dirname, '..', 'fixtures', 'catalogs', 'seed-001.yaml');

export interface Interval {
  job: string;
  start: number;
  end: number;
}

/** Start/end pairs of each command run, from the trace file, in the order they ended. */
export function intervals(trace: string): Interval[] {
  if (!existsSync(trace)) return [];
  const open = new Map<string, number>();
  const done: Interval[] = [];
  for (const line of readFileSync(trace, 'utf8').trim().split('\n')) {
    const [job, event, at] = line.split(' ');
    assert.ok(job && (event === 'start' || event === 'end') && at, `trace line "${line}"`);
    if (event === 'start') open.set(job, Number(at));
    else done.push({ job, start: open.get(job)!, end: Number(at) });
  }
  return done;
}

let counter = 0;

/** Starts catalog job `name` of the seed 001 fixture for `date`, tracing to `trace`. */
export function startSeedJob(
  client: Client,
  taskQueue: string,
  name: string,
  trace: string,
  date = '2026-12-01',
  vars: Record<string, string> = {},
): Promise<WorkflowHandle<typeof jobWorkflow>> {
  const environment = { ...process.env, JOBNET_TRACE: trace, ...vars };
  const catalog = parseCatalog(readFileSync(SEED_001, 'utf8'), SEED_001, { env: environment });
  // The trace file and the test's variables fixed in the run input, as its worker's environment would.
  const job = bindCommandVariables(jobSpecOf(catalog, catalog.jobs[name]!, name, environment), environment);
  return client.workflow.start<typeof jobWorkflow>('jobWorkflow', {
    taskQueue,
    workflowId: `${name}@${date}+${++counter}`,
    args: [{ name, businessDate: date, job }],
  });
}

/** The run's result, also for a failed run (from its failure's details). */
export async function jobOutcome(handle: WorkflowHandle<typeof jobWorkflow>): Promise<JobResult> {
  try {
    return await handle.result();
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure) return jobResultSchema.parse(error.cause.details?.[0]);
    throw error;
  }
}

/** Polls the run's state (real time; queries do not move a test server's clock) until `ready`. */
export async function jobStateWhen(handle: WorkflowHandle<typeof jobWorkflow>, ready: (state: JobState) => boolean, what: string): Promise<JobState> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await handle.query(jobStateQuery).catch(() => undefined);
    if (state && ready(state)) return state;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
