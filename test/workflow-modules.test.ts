/**
 * The workflows a fan-out or a jobnet starts by the thousand — partitions, and jobs started by
 * a parent with a validated run — load no zod and no schema module: the worker evaluates a
 * run's modules afresh for every run, and building the schemas cost ~20 ms of CPU per run
 * (`npm run bench:workflow-start`). Runs are created from the real bundle as the worker creates
 * them, and the modules each evaluated are read back; no timing is asserted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jobSpecSchema } from '../src/catalog/job-schema';
import { createWorkflowVm, type WorkflowVm } from '../scripts/lib/workflow-vm';

const JOB = { command: ['true'] };
const BUSINESS_DATE = '2026-12-01';
const SCHEMA_MODULES = /node_modules\/zod\/|src\/catalog\/(job-schema|duration|notify-schema|fanout-input)\.ts|src\/events\/(event|routing)-schema\.ts|-schemas\.ts/;

let vm: WorkflowVm;
before(async () => {
  vm = await createWorkflowVm();
});
after(async () => vm?.destroy());

const schemaModules = (modules: string[]) => modules.filter((id) => SCHEMA_MODULES.test(id));

describe('workflow modules per run', () => {
  it('a partition builds no schema and schedules its work', async () => {
    const input = { fanout: 'fan', businessDate: BUSINESS_DATE, key: 'k1', attempt: 1, runKey: 'fan@2026-12-01/k1', item: { name: 'item', job: jobSpecSchema.parse(JOB) } };
    const run = await vm.firstActivation('partitionWorkflow', [input], { child: true });
    assert.deepEqual(run.outcome, { commands: ['scheduleActivity'] });
    assert.deepEqual(schemaModules(run.modules), []);
    assert.ok(run.modules.some((id) => id.includes('src/workflows/fanout-partition.ts')), 'the partition module itself was loaded');
    assert.ok(!run.modules.some((id) => id.includes('src/workflows/jobnet.ts')), 'no other workflow type was loaded');
  });

  it('a job started by a parent with its validated run builds no schema', async () => {
    const run = await vm.firstActivation('jobWorkflow', [{ validated: { name: 'step', businessDate: BUSINESS_DATE, job: jobSpecSchema.parse(JOB) } }], { child: true });
    assert.deepEqual(run.outcome, { commands: ['upsertWorkflowSearchAttributes', 'scheduleActivity'] });
    assert.deepEqual(schemaModules(run.modules), []);
  });

  it('a job started from outside validates its input, with the schemas', async () => {
    const run = await vm.firstActivation('jobWorkflow', [{ name: 'job', businessDate: BUSINESS_DATE, job: JOB }]);
    assert.deepEqual(run.outcome, { commands: ['upsertWorkflowSearchAttributes', 'scheduleActivity'] });
    assert.ok(schemaModules(run.modules).some((id) => id.includes('node_modules/zod/')), 'zod is loaded to validate');
    const bad = await vm.firstActivation('jobWorkflow', [{ name: 'job', businessDate: BUSINESS_DATE, job: { command: [] } }]);
    assert.ok('failed' in bad.outcome && /invalid input: job\.command/.test(bad.outcome.failed), JSON.stringify(bad.outcome));
  });

  it('a validated run or a partition is refused from outside a parent', async () => {
    const job = await vm.firstActivation('jobWorkflow', [{ validated: { name: 'job', businessDate: BUSINESS_DATE, job: jobSpecSchema.parse(JOB) } }]);
    assert.ok('failed' in job.outcome && /accepted only from a parent workflow/.test(job.outcome.failed), JSON.stringify(job.outcome));
    const partition = await vm.firstActivation('partitionWorkflow', [{}]);
    assert.ok('failed' in partition.outcome && /runs only as a fan-out's child/.test(partition.outcome.failed), JSON.stringify(partition.outcome));
  });
});
