/**
 * Seed 000 end to end, with the examples catalog's own `hr-import` job on the time-skipping
 * server: the upstream CSV is not there at 02:00, the run fails, the one delayed retry six
 * (workflow) minutes later imports it — once — and failure, retry-scheduled and
 * retry-succeeded are separate events. A forced re-run skips the file and leaves the manifest.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { loadCatalog } from '../src/catalog/load/load';
import { jobSpecOf } from '../src/catalog/compile/job-spec';
import type { JobRun } from '../src/contracts/job';
import { jobWorkflow } from '../src/workflows';
import { jobStateQuery } from '../src/workflows/definitions';
import { manifestPath, readManifest } from '../src/activities/files/manifest';
import { createTestWorker, createTimeSkippingEnv } from './helpers/time-skipping';
import { tempDir, waitFor } from './helpers/fs';

const ROOT = path.resolve(__dirname, '..');
const QUEUE = 'file-import-workflow';
let env: TestWorkflowEnvironment;
let worker: Worker;
let work: ReturnType<typeof tempDir>;

before(async () => {
  env = await createTimeSkippingEnv();
  work = tempDir('hr-import');
  process.env.JOBNET_LOG_DIR = path.join(work.dir, 'logs');
  // The worker's file root is the test's directory (on a host: its working directory).
  process.env.JOBNET_FILE_ROOTS = work.dir;
  worker = await createTestWorker(env, QUEUE);
});
after(async () => {
  await env?.teardown();
  work?.cleanup();
});

function hrImportInput(): JobRun {
  const catalog = loadCatalog(path.join(ROOT, 'examples', 'jobnet.yaml'), { env: {} });
  const spec = jobSpecOf(catalog, catalog.jobs['hr-import']!, 'hr-import', {});
  const job = structuredClone(spec);
  // The catalog's paths are relative to the worker's working directory; here, to the test's.
  const args = job.activity!.args!;
  assert.deepEqual(args, { from: '.data/hr/inbox/employees_*.csv', to: '.data/hr/imported', skipExisting: true });
  job.activity!.args = { ...args, from: path.join(work.dir, String(args.from)), to: path.join(work.dir, String(args.to)) };
  return { name: 'hr-import', businessDate: '2026-03-02', job };
}

describe('seed 000: hr-import from the examples catalog', () => {
  it('late upstream file: the first run fails, the delayed retry 6 minutes later imports it once', async () => {
    const input = hrImportInput();
    assert.equal(input.job.delayedRetry?.after, 360_000, 'the example keeps the +6 minute slot');
    const inbox = path.join(work.dir, '.data', 'hr', 'inbox');
    const imported = path.join(work.dir, '.data', 'hr', 'imported');

    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(jobWorkflow, { taskQueue: QUEUE, workflowId: 'hr-import@2026-03-02', args: [input] });
      // While the run waits on its timer, the upstream delivers (the clock does not move while
      // the test only queries).
      await waitFor(
        async () => (await handle.query(jobStateQuery).catch(() => undefined))?.status === 'waiting-retry',
        30_000,
        'the run to wait for its delayed retry',
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify(await handle.query(jobStateQuery))}`);
      });
      mkdirSync(inbox, { recursive: true });
      copyFileSync(path.join(ROOT, 'examples', 'hr', 'employees.csv'), path.join(inbox, 'employees_20260302.csv'));
      const result = await handle.result();

      assert.equal(result.status, 'success');
      assert.deepEqual(
        result.events.map((e) => e.type),
        ['started', 'failed', 'retry_scheduled', 'retry_succeeded'],
      );
      const failed = result.events[1]!;
      assert.equal(failed.errorType, 'UpstreamFileMissing');
      const scheduled = result.events[2]!;
      assert.equal(Date.parse(String(scheduled.retryAt)) - Date.parse(scheduled.at), 6 * 60_000);
      assert.ok(Date.parse(result.events[3]!.at) - Date.parse(scheduled.at) >= 6 * 60_000, 'the retry ran after the timer');
      assert.equal(result.attempts, 2);
      assert.equal(result.recordCount, 1);
      assert.match(result.output, /imported 1 \(employees_20260302\.csv\)/);
    });

    assert.deepEqual(
      readdirSync(imported).filter((name) => !name.startsWith('.')),
      ['employees_20260302.csv'],
    );
    assert.equal(readFileSync(path.join(imported, 'employees_20260302.csv'), 'utf8'), readFileSync(path.join(ROOT, 'examples', 'hr', 'employees.csv'), 'utf8'));
    const manifest = await readManifest(imported);
    assert.deepEqual(Object.keys(manifest.files), ['employees_20260302.csv']);
    assert.equal(manifest.files['employees_20260302.csv']!.runKey, 'hr-import@2026-03-02');

    // An operator's forced re-run of the same date finds the file imported and changes nothing.
    const manifestBytes = readFileSync(manifestPath(imported));
    const rerunWorker = await createTestWorker(env, QUEUE);
    const rerun = await rerunWorker.runUntil(
      env.client.workflow.execute(jobWorkflow, { taskQueue: QUEUE, workflowId: 'hr-import@2026-03-02+1', args: [input] }),
    );
    assert.equal(rerun.status, 'success');
    assert.match(rerun.output, /imported 0, skipped 1 already imported/);
    assert.ok(readFileSync(manifestPath(imported)).equals(manifestBytes));
  });
});
