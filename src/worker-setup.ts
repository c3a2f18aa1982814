import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Duration, Logger as TemporalLogger } from '@temporalio/common';
import os from 'node:os';
import * as activities from './activities';
import { DEFAULT_QUEUE } from './catalog/catalog-schema';

/** The queues a worker polls unless told otherwise: the shared one and its own host's. */
export function defaultQueues(): string[] {
  return [DEFAULT_QUEUE, `host:${process.env.JOBNET_HOST ?? os.hostname()}`];
}

export function workflowsPath(): string {
  return require.resolve('./workflows');
}

/** Bundled once per process and shared by every queue's worker (bundling takes seconds). */
export async function bundleWorkflows(logger?: TemporalLogger): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: workflowsPath(), logger });
}

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  queues: string[];
  workflowBundle: WorkflowBundleWithSourceMap;
  /** How long a shutdown waits for running activities before cancelling them (killing their commands). */
  shutdownGraceTime?: Duration;
  maxConcurrentActivities?: number;
}

/** One Temporal worker per queue; each runs both workflows and activities. */
export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  return Promise.all(
    setup.queues.map((taskQueue) =>
      Worker.create({
        connection: setup.connection,
        namespace: setup.namespace,
        taskQueue,
        workflowBundle: setup.workflowBundle,
        activities,
        shutdownGraceTime: setup.shutdownGraceTime ?? '60s',
        maxConcurrentActivityTaskExecutions: setup.maxConcurrentActivities,
      }),
    ),
  );
}
