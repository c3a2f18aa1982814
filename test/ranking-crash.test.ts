/**
 * Seed 001's promise under a crash, on the dev server with real worker processes, for both
 * engines: the worker running BATCH-001 (the examples catalog's job) is SIGKILLed while its
 * transaction is open — after the delete and every insert, just before COMMIT. The previous
 * Rankings are intact, the retry on another worker produces the correct rankings, and the run's
 * effect is recorded once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadCatalog } from '../src/catalog/load/load';
import { jobSpecOf } from '../src/catalog/compile/job-spec';
import type { JobRun } from '../src/contracts/job';
import type { Database } from '../src/db/database';
import { openPglite } from '../src/db/pglite';
import { closeWorkerDatabase } from '../src/db/worker-database';
import { seedDemoData } from '../src/activities/ranking/demo-data';
import { HOLD_BEFORE_COMMIT_ENV, RANKED_USERS_SQL, rankingsChecksum, updateRankings } from '../src/activities/ranking/update-rankings';
import { jobWorkflow } from '../src/workflows';
import { freePort, startDevServer, type DevServer } from '../scripts/servers';
import { ENGINES, freshDatabase, skipUnlessEngine, stopTestPostgres, type Engine } from './helpers/db';
import { tempDir, waitFor } from './helpers/fs';
import { quietRuntime, sharedBundle } from './helpers/time-skipping';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';
import { jobnetClient } from '../src/temporal/client';
import { jobnetWorkerOptions } from '../src/worker-setup';

const ROOT = path.resolve(__dirname, '..');
const DATE = '2026-03-31';
const USERS = 2_500;
let server: DevServer;
let work: ReturnType<typeof tempDir>;
const processes: WorkerProcess[] = [];

before(async () => {
  quietRuntime();
  work = tempDir('ranking-crash');
  process.env.JOBNET_LOG_DIR = path.join(work.dir, 'logs');
  server = await startDevServer({ dbFile: path.join(work.dir, 'temporal.db'), port: await freePort(), stdio: 'ignore' });
});
after(async () => {
  await Promise.all(processes.map((p) => p.kill('SIGKILL')));
  await closeWorkerDatabase();
  await server?.kill();
  await stopTestPostgres();
  work?.cleanup();
});

/** The checksum the rankings must have: the ranking SELECT itself, fingerprinted like rankingsChecksum. */
async function correctChecksum(db: Database): Promise<string> {
  const result = await db.query<{ checksum: string }>(
    `SELECT md5(string_agg(rank || ':' || user_id || ':' || score || ':' || order_count, ',' ORDER BY rank)) AS checksum FROM (${RANKED_USERS_SQL}) ranked`,
    [DATE, 30, 'Asia/Tokyo'],
  );
  return result.rows[0]!.checksum;
}

/** BATCH-001 as the examples catalog defines it; only its clocks shortened for a test. */
function batch001Input(): JobRun {
  const catalog = loadCatalog(path.join(ROOT, 'examples', 'jobnet.yaml'), { env: {} });
  const job = jobSpecOf(catalog, catalog.jobs['BATCH-001']!, 'BATCH-001', {});
  assert.deepEqual(job.activity, { name: 'rankingUpdate', args: { windowDays: 30, batchSize: 1000 } });
  return { name: 'BATCH-001', businessDate: DATE, job: { ...job, heartbeatTimeout: 3_000, retry: { ...job.retry, interval: 1_000 } } };
}

for (const engine of ENGINES) {
  describe(`BATCH-001 with its worker SIGKILLed mid-transaction, on ${engine}`, { skip: skipUnlessEngine(engine) }, () => {
    it('leaves the previous Rankings intact; the retry on another worker produces the correct result once', async () => {
      const pgliteDir = path.join(work.dir, `pglite-${engine}`);
      const test = await freshDatabase(engine as Engine, { pgliteDir });
      // Rankings from an earlier run, then the orders corrected: the correct rankings now differ.
      await seedDemoData(test.db, { users: USERS, orders: 25_000, until: DATE, seed: 1 });
      await updateRankings(test.db, { windowDays: 30, timezone: 'Asia/Tokyo', batchSize: 1000, businessDate: DATE, runKey: 'earlier' });
      const previous = await rankingsChecksum(test.db, DATE);
      await test.db.query('UPDATE orders SET amount = amount + (id % 13) * 37');
      const expected = await correctChecksum(test.db);
      assert.notEqual(expected, previous.checksum);
      // PGlite belongs to one process at a time: the workers open it after the test closes it.
      const reopen = async () => (engine === 'pglite' ? openPglite(pgliteDir) : test.db);
      if (engine === 'pglite') await test.db.close();

      // The lock workflow `rankings` runs on the coordination queue, which every worker process serves.
      const queue = 'ranking-crash';
      const first = await startWorkerProcess({ address: server.address, queues: [queue], env: { ...test.env, [HOLD_BEFORE_COMMIT_ENV]: '120000' } });
      processes.push(first);
      const temporal = jobnetClient(await Connection.connect({ address: server.address }));
      const workflowId = `BATCH-001@${DATE}-${engine}`;
      const handle = await temporal.workflow.start(jobWorkflow, { taskQueue: queue, workflowId, args: [batch001Input()] });

      await waitFor(() => first.log().includes('drill: holding the transaction open'), 60_000, 'BATCH-001 to reach its COMMIT').catch((error: Error) => {
        throw new Error(`${error.message}\nworker log:\n${first.log().slice(-4000)}`);
      });
      await first.kill('SIGKILL');

      const between = await reopen();
      try {
        assert.deepEqual(await rankingsChecksum(between, DATE), previous, 'the previous Rankings are intact');
        const keys = await between.query<{ n: number }>('SELECT count(*)::int AS n FROM jobnet_idempotency WHERE run_key = $1', [workflowId]);
        assert.equal(keys.rows[0]!.n, 0, 'no key: the effect was not committed');
      } finally {
        if (engine === 'pglite') await between.close();
      }

      // Another worker (in this process) takes the retry.
      Object.assign(process.env, test.env);
      const connection = await NativeConnection.connect({ address: server.address });
      const second = await Worker.create({ ...jobnetWorkerOptions(), connection, taskQueue: queue, workflowBundle: await sharedBundle() });
      const result = await second.runUntil(handle.result());
      await connection.close();
      await closeWorkerDatabase();
      await temporal.connection.close();

      assert.equal(result.status, 'success', JSON.stringify(result.events));
      assert.equal(result.recordCount, USERS);
      assert.ok(result.attempts >= 2, `attempts: ${result.attempts}`);
      const end = await reopen();
      try {
        assert.deepEqual(await rankingsChecksum(end, DATE), { rows: USERS, checksum: expected });
        const keys = await end.query<{ n: number }>('SELECT count(*)::int AS n FROM jobnet_idempotency WHERE run_key = $1', [workflowId]);
        assert.equal(keys.rows[0]!.n, 1, 'one recorded effect for the run');
      } finally {
        if (engine === 'pglite') await end.close();
        await test.drop().catch(() => undefined);
      }
    });
  });
}
