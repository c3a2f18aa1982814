/**
 * Workflow runs created the way the worker creates them — the SDK's reusable-V8-context
 * creator (an internal class of @temporalio/worker) over the project's real workflow bundle —
 * without a server: for `npm run bench:workflow-start` and for the test that keeps the hot
 * workflows free of zod (test/workflow-modules.test.ts).
 *
 * Why it matters: the worker evaluates the bundle's modules afresh for every workflow run, so
 * what a workflow type imports is paid by every run of it.
 */

import { parseWorkflowCode } from '@temporalio/worker/lib/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { defaultPayloadConverter } from '@temporalio/common';
import { coresdk } from '@temporalio/proto';
import type { WorkflowInfo } from '@temporalio/workflow';
import { bundleWorkflows } from '../../src/worker-setup';

export interface FirstActivation {
  /** The commands the run issued in its first activation (scheduleActivity, startTimer…), or its failure. */
  outcome: { commands: string[] } | { failed: string };
  /** CPU time of this process for creating the run and its first activation. */
  cpuMs: number;
  /** The bundle's modules the run evaluated (webpack module ids, e.g. ./node_modules/zod/…). */
  modules: string[];
}

/** How a run came to be: started by a parent workflow, or continued as new from an earlier run of its own. */
export interface RunOrigin {
  child?: boolean;
  continued?: boolean;
}

export interface WorkflowVm {
  bundleBytes: number;
  /** Creates a run of the type with these arguments, runs its first activation, disposes of it. */
  firstActivation(workflowType: string, args: unknown[], options?: RunOrigin): Promise<FirstActivation>;
  destroy(): Promise<void>;
}

const SILENT = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };

export async function createWorkflowVm(): Promise<WorkflowVm> {
  const bundle = await bundleWorkflows(SILENT);
  const creator = await ReusableVMWorkflowCreator.create(parseWorkflowCode(bundle.code), 60_000, new Set(), undefined);
  let runs = 0;
  return {
    bundleBytes: bundle.code.length,
    async firstActivation(workflowType, args, options = {}) {
      const info = infoFor(workflowType, ++runs, options);
      const started = process.cpuUsage();
      const workflow = await creator.createWorkflow({ info, randomnessSeed: [1, 2], now: Date.now(), showStackTraceSources: false });
      const completion = await workflow.activate(
        coresdk.workflow_activation.WorkflowActivation.fromObject({
          runId: info.runId,
          timestamp: { seconds: Math.floor(Date.now() / 1000) },
          isReplaying: false,
          historyLength: 3,
          jobs: [
            {
              initializeWorkflow: {
                workflowId: info.workflowId,
                workflowType,
                arguments: args.map((arg) => defaultPayloadConverter.toPayload(arg)),
                randomnessSeed: 1,
                attempt: 1,
                firstExecutionRunId: info.runId,
              },
            },
          ],
        }),
      );
      const used = process.cpuUsage(started);
      // The run's own module cache (the SDK keeps one per run; `context` is not public API).
      const activator = (creator as unknown as { context: { __TEMPORAL_ACTIVATOR__?: { moduleCache?: Map<string, unknown> } } }).context.__TEMPORAL_ACTIVATOR__;
      const modules = [...(activator?.moduleCache?.keys() ?? [])];
      await workflow.dispose();
      const commands = completion.successful?.commands ?? [];
      const failure = completion.failed?.failure ?? commands.find((command) => command.failWorkflowExecution)?.failWorkflowExecution?.failure;
      // Failure messages travel as an encoded attribute (codec/failure-converter.ts); no codec runs here.
      const encoded = failure?.encodedAttributes
        ? (defaultPayloadConverter.fromPayload(failure.encodedAttributes) as { message?: string } | undefined)
        : undefined;
      const outcome = failure
        ? { failed: encoded?.message ?? failure.message ?? 'failed' }
        : { commands: Array.from(commands, (command) => Object.keys(command).find((key) => key !== 'userMetadata') ?? '?') }; // an array of this realm, not the run's
      return { outcome, cpuMs: (used.user + used.system) / 1000, modules };
    },
    destroy: () => creator.destroy(),
  };
}

function infoFor(workflowType: string, n: number, origin: RunOrigin): WorkflowInfo {
  const now = new Date();
  const runId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    workflowId: `vm-${workflowType}-${n}`,
    runId,
    workflowType,
    taskQueue: 'vm',
    namespace: 'default',
    firstExecutionRunId: runId,
    attempt: 1,
    historyLength: 3,
    historySize: 1_000,
    continueAsNewSuggested: false,
    startTime: now,
    runStartTime: now,
    unsafe: { isReplaying: false, now: () => Date.now() },
    searchAttributes: {},
    memo: {},
    ...(origin.continued ? { continuedFromExecutionRunId: '00000000-0000-4000-8000-ffffffffffff' } : {}),
    ...(origin.child ? { parent: { workflowId: 'vm-parent', runId: '00000000-0000-4000-8000-000000000000', namespace: 'default' } } : {}),
  } as unknown as WorkflowInfo;
}
