import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Duration, Logger as TemporalLogger } from '@temporalio/common';
import os from 'node:os';
import * as jobnetActivities from './activities';
import { activityModulePaths, loadActivityModules, registerActivities, type ActivityTable } from './activities/registry';
import { refuseUntrustedActivities } from './activities/refuse-untrusted';
import { DEFAULT_QUEUE } from './catalog/schema/catalog-schema';
import { COORDINATION_QUEUE } from './contracts/coordination';
import { FAILURE_CONVERTER_PATH, jobnetDataConverter } from './codec/data-converter';
import type { CodecSettings } from './codec/keys';

/** The queues a worker polls unless told otherwise: the shared one and its own host's. */
export function defaultQueues(): string[] {
  return [DEFAULT_QUEUE, `host:${process.env.JOBNET_HOST ?? os.hostname()}`];
}

export function workflowsPath(): string {
  return require.resolve('./workflows');
}

/**
 * Bundled once per process and shared by every queue's worker (bundling takes seconds). The
 * bundle carries the failure converter (messages encrypted with the payloads), the
 * interceptor that refuses calls no key holder made, and the depth of recorded stacks
 * (workflows/stack-depth.ts), set before the workflow context is frozen.
 */
export async function bundleWorkflows(logger?: TemporalLogger, path: string = workflowsPath()): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: path,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    workflowInterceptorModules: [require.resolve('./workflows/refuse-untrusted')],
    preloadModules: [require.resolve('./workflows/stack-depth')],
    logger,
  });
}

/**
 * jobnet's activities and those of the registered modules (JOBNET_ACTIVITIES or `--activities`;
 * unset: the examples'). Throws InvalidInputError for a module that cannot be loaded.
 */
export function workerActivities(modules: readonly string[] = activityModulePaths()): ActivityTable {
  const own: ActivityTable = { ...jobnetActivities };
  return { ...own, ...loadActivityModules(modules, Object.keys(own)) };
}

/**
 * What every jobnet worker is made of, whoever creates it (`npm run worker`, tests, benches):
 * the payload codec, the refusal of untrusted calls, jobnet's activities (plus a test's own).
 */
export function jobnetWorkerOptions(options: { activities?: ActivityTable; codec?: CodecSettings } = {}) {
  const activities = options.activities ?? workerActivities();
  // The runners of activity-kind jobs find them here by name.
  registerActivities(activities);
  return {
    activities,
    dataConverter: jobnetDataConverter('worker', options.codec),
    interceptors: { activity: [refuseUntrustedActivities] },
  } satisfies Partial<WorkerOptions>;
}

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  queues: string[];
  workflowBundle: WorkflowBundleWithSourceMap;
  /** How long a shutdown waits for running activities before cancelling them (killing their commands). */
  shutdownGraceTime?: Duration;
  maxConcurrentActivities?: number;
  codec?: CodecSettings;
  /** Default: jobnet's and the registered modules' (workerActivities()). */
  activities?: ActivityTable;
}

/** The queues a worker process serves: those asked for, and the coordination queue every worker serves. */
export function servedQueues(queues: readonly string[]): string[] {
  return [...new Set([...queues, COORDINATION_QUEUE])];
}

/**
 * Activity task polls each queue's worker keeps open (the SDK's default is 10). A fan-out's
 * workflow task schedules dozens of activities at once; a task that finds a poll waiting is
 * handed over directly, one that does not goes to the server's task backlog (written, read
 * back, deleted). With 32 polls a trivial one-key-per-batch fan-out cost the dev server ~3.5
 * instead of ~4.1 ms of CPU per key on 2026-12-03 (README "Fan-out"); a poll waiting is one
 * idle request at the frontend. Never more polls than activities the worker may run at once.
 */
export const ACTIVITY_POLLS = 32;
const SDK_DEFAULT_MAX_ACTIVITIES = 100;

/**
 * One Temporal worker per queue; each runs both workflows and activities. The coordination
 * queue is always among them: locks and gates run there, so they go on while any worker is up.
 */
export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  return Promise.all(
    servedQueues(setup.queues).map((taskQueue) =>
      Worker.create({
        ...jobnetWorkerOptions({ codec: setup.codec, activities: setup.activities }),
        connection: setup.connection,
        namespace: setup.namespace,
        taskQueue,
        workflowBundle: setup.workflowBundle,
        shutdownGraceTime: setup.shutdownGraceTime ?? '60s',
        maxConcurrentActivityTaskExecutions: setup.maxConcurrentActivities,
        activityTaskPollerBehavior: {
          type: 'simple-maximum',
          maximum: Math.min(ACTIVITY_POLLS, setup.maxConcurrentActivities ?? SDK_DEFAULT_MAX_ACTIVITIES),
        },
      }),
    ),
  );
}
