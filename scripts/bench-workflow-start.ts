/**
 * `npm run bench:workflow-start` — what it costs the worker to create one workflow of each type.
 *
 * Every new workflow run evaluates the workflow bundle's own modules afresh (the SDK isolates
 * module state per run), so whatever the bundle's modules do at load — building zod schemas,
 * loading libraries — is paid by every job, partition, lock and notification. This bench creates
 * workflows the way the worker does (the SDK's reusable-V8-context creator, an internal class)
 * from the project's real bundle, runs each one's first activation with a real input (up to
 * its first command: an activity, a timer or a child), and reports milliseconds of CPU per
 * run, per type.
 * It is the figure behind fan-out throughput (DESIGN.md §9: ≥ 100 partitions/s on 2 cores).
 *
 *   npm run bench:workflow-start [-- --runs 200 --cases partition,job (jobnet step)]
 *
 * Figures go to stdout and to .data/bench/workflow-start-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import type { WorkflowInfo } from '@temporalio/workflow';
import { defaultPayloadConverter } from '@temporalio/common';
import { coresdk } from '@temporalio/proto';
import { jobSpecSchema } from '../src/catalog/job-schema';
import { workflowsPath } from '../src/worker-setup';

const ROOT = path.resolve(__dirname, '..');


const JOB = { command: ['true'] };
const BUSINESS_DATE = '2026-12-01';
/** Each case: a workflow type with a real input, as the CLI, a Schedule or a parent starts it. */
const CASES: Record<string, { workflowType: string; args: unknown[] }> = {
  partition: { workflowType: 'partitionWorkflow', args: [{ fanout: 'bench', businessDate: BUSINESS_DATE, key: 'k1', attempt: 1, runKey: 'bench@2026-12-01/k1', item: { name: 'item', job: jobSpecSchema.parse(JOB) } }] },
  'job (jobnet step)': { workflowType: 'jobWorkflow', args: [{ validated: { name: 'bench', businessDate: BUSINESS_DATE, job: jobSpecSchema.parse(JOB) } }] },
  'job (CLI start)': { workflowType: 'jobWorkflow', args: [{ name: 'bench', businessDate: BUSINESS_DATE, job: JOB }] },
  jobnet: { workflowType: 'jobnetWorkflow', args: [{ name: 'bench', businessDate: BUSINESS_DATE, steps: { a: { job: JOB }, b: { job: JOB, needs: ['a'] } } }] },
  fanout: { workflowType: 'fanoutWorkflow', args: [{ name: 'bench', businessDate: BUSINESS_DATE, source: { kind: 'items', items: ['k1', 'k2'] }, maxParallel: 2, item: { name: 'item', job: JOB } }] },
  lock: { workflowType: 'lockWorkflow', args: [{ name: 'bench' }] },
  gate: { workflowType: 'gateWorkflow', args: [{ job: 'bench', businessDate: BUSINESS_DATE }] },
};

const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' }, cases: { type: 'string', default: Object.keys(CASES).join(',') } } });
const RUNS = Number(values.runs);

function infoFor(workflowType: string, n: number): WorkflowInfo {
  const now = new Date();
  return {
    workflowId: `bench-${workflowType}-${n}`,
    runId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    workflowType,
    taskQueue: 'bench',
    namespace: 'default',
    firstExecutionRunId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    attempt: 1,
    historyLength: 3,
    historySize: 1_000,
    continueAsNewSuggested: false,
    startTime: now,
    runStartTime: now,
    workflowStartTime: now,
    unsafe: { isReplaying: false, now: () => Date.now() },
    // Partitions run only as a fan-out's child.
    parent: { workflowId: 'bench-parent', runId: '00000000-0000-4000-8000-000000000000', namespace: 'default' },
    searchAttributes: {},
    typedSearchAttributes: undefined,
    memo: {},
    priority: {},
  } as unknown as WorkflowInfo;
}

async function main(): Promise<void> {
  const bundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } });
  console.log(`bundle: ${(bundle.code.length / 1e6).toFixed(2)} MB`);
  const creator = await ReusableVMWorkflowCreator.create(parseWorkflowCode(bundle.code), 60_000, new Set(), undefined);
  const figures: Record<string, { runs: number; meanMs: number; p50Ms: number; p95Ms: number }> = {};
  let n = 0;
  for (const label of values.cases.split(',')) {
    const { workflowType, args } = CASES[label] ?? { workflowType: label, args: [] };
    const samples: number[] = [];
    // Warm-up creations let V8 compile the bundle's functions, as in a worker that has run a while.
    for (let i = 0; i < RUNS + 20; i++) {
      const started = process.cpuUsage();
      const info = infoFor(workflowType, ++n);
      const workflow = await creator.createWorkflow({ info, randomnessSeed: [1, 2], now: Date.now(), showStackTraceSources: false });
      const completion = await workflow.activate(coresdk.workflow_activation.WorkflowActivation.fromObject({
        runId: info.runId,
        timestamp: { seconds: Math.floor(Date.now() / 1000) },
        isReplaying: false,
        historyLength: 3,
        jobs: [{ initializeWorkflow: { workflowId: info.workflowId, workflowType, arguments: args.map((arg) => defaultPayloadConverter.toPayload(arg)), randomnessSeed: 1, attempt: 1, firstExecutionRunId: info.runId } }],
      }));
      const used = process.cpuUsage(started);
      if (i === 0) console.log(`${label}: first activation ${describeCompletion(completion)}`);
      await workflow.dispose();
      if (i >= 20) samples.push((used.user + used.system) / 1000);
    }
    samples.sort((a, b) => a - b);
    figures[label] = {
      runs: samples.length,
      meanMs: round(samples.reduce((sum, value) => sum + value, 0) / samples.length),
      p50Ms: round(samples[Math.floor(samples.length / 2)]!),
      p95Ms: round(samples[Math.floor(samples.length * 0.95)]!),
    };
    console.log(`${label.padEnd(18)} mean ${figures[label]!.meanMs} ms CPU, p50 ${figures[label]!.p50Ms}, p95 ${figures[label]!.p95Ms} (${samples.length} runs)`);
  }
  await creator.destroy();
  const out = path.join(ROOT, '.data', 'bench');
  mkdirSync(out, { recursive: true });
  const file = path.join(out, `workflow-start-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), bundleBytes: bundle.code.length, figures }, null, 2));
  console.log(`figures saved to ${path.relative(ROOT, file)}`);
}

/** What the first activation ended with: the commands it issued, or its failure. */
function describeCompletion(completion: { failed?: { failure?: { message?: string | null } | null } | null; successful?: { commands?: object[] | null } | null }): string {
  if (completion.failed) return `FAILED: ${completion.failed.failure?.message ?? '?'}`;
  return `→ ${(completion.successful?.commands ?? []).map((command) => Object.keys(command).find((key) => key !== 'userMetadata') ?? '?').join(', ')}`;
}

const round = (value: number): number => Math.round(value * 100) / 100;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
