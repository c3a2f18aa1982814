/**
 * `npm run bench:workflow-start` — what it costs the worker to start one workflow run, per type.
 *
 * Every new workflow run evaluates the workflow bundle's modules it needs afresh (the SDK
 * isolates module state per run), so whatever they do at load — building zod schemas, loading
 * libraries — is paid by every job, partition, lock and notification. This bench creates runs
 * the way the worker does, from the project's real bundle (scripts/lib/workflow-vm.ts), runs
 * each one's first activation with a real input up to its first command, and reports
 * milliseconds of CPU per run. It is the worker's share of fan-out throughput and of the
 * per-step overhead of a jobnet (DESIGN.md §9).
 *
 *   npm run bench:workflow-start [-- --runs 200 --cases partition,job-step]
 *
 * Figures go to stdout and to .data/bench/workflow-start-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { jobSpecSchema } from '../src/catalog/schema/job-schema';
import { fanoutRunSchema } from '../src/catalog/compile/fanout-input';
import { createWorkflowVm } from './lib/workflow-vm';

const ROOT = path.resolve(__dirname, '..');
const JOB = { command: ['true'] };
const BUSINESS_DATE = '2026-12-01';
const WARM_UP = 20;

/** Each case: a workflow type with a real input, as the CLI, a Schedule or a parent starts it. */
const CASES: Record<string, { workflowType: string; args: unknown[]; child: boolean }> = {
  'job-step': { workflowType: 'jobWorkflow', args: [{ name: 'bench', businessDate: BUSINESS_DATE, job: jobSpecSchema.parse(JOB) }], child: true },
  'job-cli': { workflowType: 'jobWorkflow', args: [{ name: 'bench', businessDate: BUSINESS_DATE, job: JOB }], child: false },
  jobnet: {
    workflowType: 'jobnetWorkflow',
    args: [{ name: 'bench', businessDate: BUSINESS_DATE, steps: { a: { job: JOB }, b: { job: JOB, needs: ['a'] } } }],
    child: false,
  },
  fanout: {
    workflowType: 'fanoutWorkflow',
    args: [{ name: 'bench', businessDate: BUSINESS_DATE, source: { kind: 'items', items: ['k1', 'k2'] }, maxParallel: 2, item: { name: 'item', job: JOB } }],
    child: false,
  },
  // A jobnet's fan-out step or a Schedule's fire: a parent validated the run (a continued run takes its input the same way).
  'fanout-step': {
    workflowType: 'fanoutWorkflow',
    args: [
      fanoutRunSchema.parse({
        name: 'bench',
        businessDate: BUSINESS_DATE,
        source: { kind: 'items', items: ['k1', 'k2'] },
        maxParallel: 2,
        item: { name: 'item', job: JOB },
      }),
    ],
    child: true,
  },
  lock: { workflowType: 'lockWorkflow', args: [{ name: 'bench' }], child: false },
  gate: { workflowType: 'gateWorkflow', args: [{ job: 'bench', businessDate: BUSINESS_DATE }], child: false },
};

const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' }, cases: { type: 'string', default: Object.keys(CASES).join(',') } } });
const RUNS = Number(values.runs);

async function main(): Promise<void> {
  const vm = await createWorkflowVm();
  console.log(`workflow bundle: ${(vm.bundleBytes / 1e6).toFixed(2)} MB; ${RUNS} runs per case after ${WARM_UP} to warm up`);
  const figures: Record<string, { workflowType: string; runs: number; meanMs: number; p50Ms: number; p95Ms: number; modules: number; firstCommands: string }> =
    {};
  for (const label of values.cases.split(',')) {
    const { workflowType, args, child } = CASES[label] ?? { workflowType: label, args: [], child: false };
    const samples: number[] = [];
    let modules = 0;
    let firstCommands = '';
    for (let i = 0; i < RUNS + WARM_UP; i++) {
      const run = await vm.firstActivation(workflowType, args, { child });
      if (i === 0) {
        firstCommands = 'failed' in run.outcome ? `FAILED: ${run.outcome.failed}` : run.outcome.commands.join(', ');
        modules = run.modules.length;
      }
      if (i >= WARM_UP) samples.push(run.cpuMs);
    }
    samples.sort((a, b) => a - b);
    const figure = {
      workflowType,
      runs: samples.length,
      meanMs: round(samples.reduce((sum, value) => sum + value, 0) / samples.length),
      p50Ms: round(samples[Math.floor(samples.length / 2)]!),
      p95Ms: round(samples[Math.floor(samples.length * 0.95)]!),
      modules,
      firstCommands,
    };
    figures[label] = figure;
    console.log(
      `${label.padEnd(10)} ${workflowType.padEnd(18)} mean ${figure.meanMs} ms CPU, p50 ${figure.p50Ms}, p95 ${figure.p95Ms}; ${modules} modules; first activation → ${firstCommands}`,
    );
  }
  await vm.destroy();
  const out = path.join(ROOT, '.data', 'bench');
  mkdirSync(out, { recursive: true });
  const file = path.join(out, `workflow-start-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), bundleBytes: vm.bundleBytes, figures }, null, 2));
  console.log(`figures saved to ${path.relative(ROOT, file)}`);
}

const round = (value: number): number => Math.round(value * 100) / 100;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
