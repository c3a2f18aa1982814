import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflows, jobnetWorkerOptions, workerActivities } from '../../src/worker-setup';
import type { ActivityTable } from '../../src/activities/registry';
import { jobnetDataConverter } from '../../src/codec/data-converter';
import { addSearchAttributesRequest } from '../../src/temporal/client';
import { testServerPath } from '../../scripts/servers';

let runtimeInstalled = false;
/** Quiet SDK logs in tests; failures still surface through assertions. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

/** The Java time-skipping test server, provisioned by scripts/provision-test-server.sh. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath() } },
    client: { dataConverter: jobnetDataConverter('client') },
  });
  // Workflows upsert jobnet's search attributes; the test server rejects unknown ones. (It
  // implements AddSearchAttributes but not ListSearchAttributes, so register without asking.)
  await env.connection.operatorService.addSearchAttributes(addSearchAttributesRequest(env.namespace ?? 'default'));
  return env;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundled once per test file: bundling takes seconds. */
export function sharedBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflows();
  return bundle;
}

/** A jobnet worker on the test server; `activities` replace or add to jobnet's own (a forged result, a probe). */
export async function createTestWorker(env: TestWorkflowEnvironment, taskQueue: string, activities: ActivityTable = {}): Promise<Worker> {
  return Worker.create({
    ...jobnetWorkerOptions({ activities: { ...workerActivities(), ...activities } }),
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await sharedBundle(),
  });
}
