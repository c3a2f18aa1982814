/**
 * The workflows a jobnet starts by the thousand — jobs and fan-outs started by a parent with a
 * validated run, and a fan-out's own continued runs — load no zod and no schema module: the
 * worker evaluates a run's modules afresh for every run, and building the schemas cost ~20 ms of CPU per run
 * (`npm run bench:workflow-start`). Runs are created from the real bundle as the worker creates
 * them, and the modules each evaluated are read back; no timing is asserted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jobSpecSchema } from '../src/catalog/schema/job-schema';
import { fanoutRunSchema } from '../src/catalog/compile/fanout-input';
import type { FanoutCarry } from '../src/contracts/fanout';
import { createWorkflowVm, type WorkflowVm } from '../scripts/lib/workflow-vm';

const JOB = { command: ['true'] };
const BUSINESS_DATE = '2026-12-01';
const SCHEMA_MODULES =
  /node_modules\/zod\/|src\/catalog\/(job-schema|duration|notify-schema|fanout-input)\.ts|src\/events\/(event|routing)-schema\.ts|-schemas\.ts/;

let vm: WorkflowVm;
before(async () => {
  vm = await createWorkflowVm();
});
after(async () => vm?.destroy());

const schemaModules = (modules: string[]) => modules.filter((id) => SCHEMA_MODULES.test(id));

describe('workflow modules per run', () => {
  it('a fan-out schedules its partitions as one batch activity, not a run per partition', async () => {
    const input = {
      name: 'fan',
      businessDate: BUSINESS_DATE,
      source: { kind: 'items', items: ['k1', 'k2', 'k3'] },
      maxParallel: 4,
      item: { name: 'item', job: JOB },
    };
    const run = await vm.firstActivation('fanoutWorkflow', [input]);
    assert.deepEqual(run.outcome, { commands: ['upsertWorkflowSearchAttributes', 'scheduleActivity'] });
    assert.ok(!run.modules.some((id) => id.includes('src/workflows/jobnet.ts')), 'no other workflow type was loaded');
  });

  it('a fan-out started by a parent (a jobnet step, a Schedule fire) or continued as new builds no schema', async () => {
    const run = fanoutRunSchema.parse({
      name: 'fan',
      businessDate: BUSINESS_DATE,
      source: { kind: 'items', items: ['k1', 'k2'] },
      maxParallel: 4,
      item: { name: 'item', job: JOB },
    });
    // What the run before hands over (FanoutCarry): one key done, the next still to read.
    const carry: FanoutCarry = {
      startTime: '2026-12-01T00:00:00.000Z',
      roundStart: '2026-12-01T00:00:00.000Z',
      cursor: { after: null, position: 1 },
      sourceDone: false,
      buffer: [],
      total: 2,
      seen: 1,
      succeeded: 1,
      failed: 0,
      failures: [],
      failuresNotKept: 0,
      warnings: [],
      warned: { projection: false, passed: false },
      alerts: 0,
      continuedAsNew: 1,
      sourceError: null,
    };
    const runs = [
      await vm.firstActivation('fanoutWorkflow', [run], { child: true }),
      await vm.firstActivation('fanoutWorkflow', [run, carry], { continued: true }),
    ];
    for (const started of runs) {
      assert.deepEqual(started.outcome, { commands: ['upsertWorkflowSearchAttributes', 'scheduleActivity'] });
      assert.deepEqual(schemaModules(started.modules), []);
    }
    // Started from outside, the same input is checked first, with the schemas.
    const outside = await vm.firstActivation('fanoutWorkflow', [run]);
    assert.ok(
      schemaModules(outside.modules).some((id) => id.includes('node_modules/zod/')),
      'zod is loaded to validate',
    );
  });

  it("a job started by a parent (its input checked with the parent's) builds no schema", async () => {
    const run = await vm.firstActivation('jobWorkflow', [{ name: 'step', businessDate: BUSINESS_DATE, job: jobSpecSchema.parse(JOB) }], { child: true });
    // The checks-without-route patch is decided in a job's first workflow task (job-alerts.ts says why).
    assert.deepEqual(run.outcome, { commands: ['setPatchMarker', 'upsertWorkflowSearchAttributes', 'scheduleActivity'] });
    assert.deepEqual(schemaModules(run.modules), []);
  });

  it('a job started from outside validates its input, with the schemas', async () => {
    const run = await vm.firstActivation('jobWorkflow', [{ name: 'job', businessDate: BUSINESS_DATE, job: JOB }]);
    assert.deepEqual(run.outcome, { commands: ['setPatchMarker', 'upsertWorkflowSearchAttributes', 'scheduleActivity'] });
    assert.ok(
      schemaModules(run.modules).some((id) => id.includes('node_modules/zod/')),
      'zod is loaded to validate',
    );
    const bad = await vm.firstActivation('jobWorkflow', [{ name: 'job', businessDate: BUSINESS_DATE, job: { command: [] } }]);
    assert.ok('failed' in bad.outcome && /invalid input: job\.command/.test(bad.outcome.failed), JSON.stringify(bad.outcome));
  });

  it('the YAML parser and the catalog loader are in no workflow run, of any type', async () => {
    const runs = [
      await vm.firstActivation('jobWorkflow', [{ name: 'job', businessDate: BUSINESS_DATE, job: JOB }]),
      await vm.firstActivation('jobnetWorkflow', [{ name: 'net', businessDate: BUSINESS_DATE, steps: { a: { job: JOB }, b: { job: JOB, needs: ['a'] } } }]),
      await vm.firstActivation('fanoutWorkflow', [
        { name: 'fan', businessDate: BUSINESS_DATE, source: { kind: 'items', items: ['k1'] }, maxParallel: 1, item: { name: 'item', job: JOB } },
      ]),
      await vm.firstActivation('scheduledRunWorkflow', [{ name: 'job', job: jobSpecSchema.parse(JOB), timezone: 'Asia/Tokyo' }]),
    ];
    for (const run of runs) {
      assert.ok(!('failed' in run.outcome), JSON.stringify(run.outcome));
      assert.deepEqual(
        run.modules.filter((id) => /node_modules\/yaml\/|src\/catalog\/(load|yaml-source)\.ts|src\/activities\//.test(id)),
        [],
      );
    }
  });
});
