/**
 * fanoutWorkflow on the dev server:
 *
 * - scale: N trivial partitions read page by page from a command source (default 500 here;
 *   `npm run test:fanout-scale` runs 10,000, in .ci/run) all succeed; the run continues as new
 *   (observed), and every run of its chain stays under a stated history bound (asserted from
 *   Temporal's visibility);
 * - crash: seed 004's billing on PostgreSQL with two worker processes on the queue `monthly`;
 *   one is SIGKILLed while it is inside a partition (its invoice committed, its notice not yet,
 *   seen in the database at the kill) — nothing is lost (every company billed, the interrupted
 *   ones finished by the other worker) and nothing is duplicated (triggers count every committed
 *   invoice and notice insert, per company: exactly one each).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { FanoutRunInput } from '../src/catalog/compile/fanout-input';
import { fanoutOutcome } from '../src/runs/retry-partitions';
import { seedBilling } from '../examples/billing/billing';
import { fanoutStateQuery } from '../src/workflows/fanout-definitions';
import { freePort, startDevServer, type DevServer } from '../scripts/servers';
import { freshDatabase, skipUnlessEngine, stopTestPostgres, type TestDatabase } from './helpers/db';
import { jobnet } from './helpers/cli';
import { startDevEnv, type DevEnv } from './helpers/dev-env';
import { tempDir, waitFor } from './helpers/fs';
import { quietRuntime } from './helpers/time-skipping';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';
import { HttpSink } from './helpers/sinks';
import { jobnetEventSchema } from '../src/events/event-schema';
import { jobnetClient } from '../src/temporal/client';
import { jobSpec } from './helpers/runs';

const SCALE = Number(process.env.JOBNET_FANOUT_SCALE ?? 500);
/**
 * Each run continues as new past this many events. A batch of partitions costs the fan-out a
 * handful of events, so a run of the default batch size handles tens of thousands of keys: the
 * full scale (100,000 in CI) continues every 2,000 events, the short version (batches of 2 keys)
 * every 500 — both so that the hand-over is exercised. A run's history may exceed the limit by
 * what arrives while its batches in flight finish; the bound says by how much at most, well under
 * Temporal's 10,240-event warning.
 */
const CONTINUE_AFTER = SCALE >= 5_000 ? 2_000 : 500;
const BATCH_SIZE = SCALE >= 5_000 ? undefined : 2;
const HISTORY_BOUND = CONTINUE_AFTER + 500;
/** The largest payload of any event of any run of the chain (Temporal refuses a blob over 2 MB). */
const PAYLOAD_BOUND = 512 * 1024;

describe('fan-out at scale (dev server)', () => {
  let dev: DevEnv;
  let connection: Connection;
  before(async () => {
    dev = await startDevEnv('fanout-scale', ['fanout-scale']);
    connection = await Connection.connect({ address: dev.server.address });
  });
  after(async () => {
    await connection?.close();
    await dev?.stop();
  });

  it(`${SCALE} trivial partitions complete; continue-as-new keeps every run's history under ${HISTORY_BOUND} events`, { timeout: 60 * 60_000 }, async () => {
    const client = jobnetClient(connection);
    const workflowId = `scale-${SCALE}@2026-12-01`;
    const input: FanoutRunInput = {
      name: `scale-${SCALE}`,
      businessDate: '2026-12-01',
      // One key per line, as a site's own listing script prints them; read 1,000 at a time.
      source: { kind: 'command', command: ['sh', '-c', `seq 1 ${SCALE} | sed 's/^/p/'`] },
      item: { name: 'trivial', job: jobSpec({ activity: { name: 'simulatedCall', args: { ms: 0 } }, timeout: '1m', retry: { attempts: 3, interval: '1s' } }) },
      maxParallel: 64,
      ...(BATCH_SIZE === undefined ? {} : { batchSize: BATCH_SIZE }),
      continueAsNewAfter: CONTINUE_AFTER,
    };
    const started = Date.now();
    const handle = await client.workflow.start('fanoutWorkflow', { taskQueue: 'fanout-scale', workflowId, args: [input] });
    const result = await fanoutOutcome(handle);
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`# ${SCALE} partitions in ${seconds.toFixed(1)} s (${(SCALE / seconds).toFixed(1)}/s), continued as new ${result.continuedAsNew}×\n`);
    assert.equal(result.status, 'success');
    assert.equal(result.total, SCALE);
    assert.equal(result.succeeded, SCALE);
    assert.equal(result.failed, 0);
    assert.ok(result.continuedAsNew >= 1, 'the run continued as new');

    // Every run of the chain, from visibility (eventually consistent: wait until all are there).
    let runs: { status: string; historyLength: number }[] = [];
    for (let i = 0; i < 50; i++) {
      runs = [];
      for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId}"` }))
        runs.push({ status: run.status.name, historyLength: run.historyLength });
      if (runs.length === result.continuedAsNew + 1 && runs.every((run) => run.status !== 'RUNNING')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(runs.length, result.continuedAsNew + 1);
    assert.equal(runs.filter((run) => run.status === 'CONTINUED_AS_NEW').length, result.continuedAsNew);
    const longest = Math.max(...runs.map((run) => run.historyLength));
    assert.ok(longest <= HISTORY_BOUND, `the longest run has ${longest} events (bound ${HISTORY_BOUND})`);

    // Every payload of every run stays small: inputs (continue-as-new's too), batch results (the
    // heartbeat details of a batch are a subset of its result), and the state query's answer.
    let largest = 0;
    for (let runId: string | undefined = result.runId, hops = 0; runId !== undefined && hops <= result.continuedAsNew; hops++) {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      let previous: string | undefined;
      for (const event of history.events ?? []) {
        for (const payloads of [
          event.workflowExecutionStartedEventAttributes?.input,
          event.workflowExecutionContinuedAsNewEventAttributes?.input,
          event.activityTaskScheduledEventAttributes?.input,
          event.activityTaskCompletedEventAttributes?.result,
          event.workflowExecutionCompletedEventAttributes?.result,
        ]) {
          for (const payload of payloads?.payloads ?? []) largest = Math.max(largest, payload.data?.length ?? 0);
        }
        previous ??= event.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
      }
      runId = previous;
    }
    const stateBytes = JSON.stringify(await client.workflow.getHandle(workflowId).query(fanoutStateQuery)).length;
    process.stderr.write(`# largest payload ${largest} bytes; state query ${stateBytes} bytes; longest history ${longest} events\n`);
    assert.ok(largest > 0 && largest <= PAYLOAD_BOUND, `the largest payload is ${largest} bytes (bound ${PAYLOAD_BOUND})`);
    assert.ok(stateBytes <= PAYLOAD_BOUND, `the state query answers ${stateBytes} bytes`);
  });
});

describe(
  'jobnet run and retry-partitions of a catalog fan-out (dev server)',
  { skip: process.env.JOBNET_FANOUT_SCALE ? 'only the scale test runs at a given scale' : false },
  () => {
    let dev: DevEnv;
    const dir = tempDir('fanout-cli');
    const catalog = path.join(dir.dir, 'jobnet.yaml');
    before(async () => {
      dev = await startDevEnv('fanout-cli', ['fanout-cli']);
      writeFileSync(
        catalog,
        [
          'version: 1',
          'defaults: { queue: fanout-cli }',
          'jobs:',
          '  per-key:',
          `    command: [sh, -c, 'test "$JOBNET_ITEM" != k3 || { echo "no data for k3" >&2; exit 5; }']`,
          '    retry: { attempts: 1 }',
          '  fan:',
          '    fanout: { items: [k1, k2, k3, k4], job: per-key, maxParallel: 2 }',
          '    runbooks: { NotUsed: "https://wiki.example/x" }',
        ].join('\n'),
      );
    });
    after(async () => {
      await dev?.stop();
      dir.cleanup();
    });

    it('runs once per date, prints the summary, and reruns only failed partitions', { timeout: 120_000 }, async () => {
      const cli = (...argv: string[]) => jobnet('-c', catalog, '--address', dev.server.address, ...argv);
      const first = await cli('run', 'fan', '--date', '2026-12-01', '--wait');
      assert.equal(first.code, 1, first.stderr);
      assert.match(first.stderr, /started fan@2026-12-01/);
      assert.match(first.stdout, /fan \(2026-12-01\): partial — 4\/4 partitions done: 3 succeeded, 1 failed, 0 running, 0 pending/);
      assert.match(first.stdout, /failed exit:5 ×1: k3/);
      const again = await cli('run', 'fan', '--date', '2026-12-01');
      assert.equal(again.code, 0);
      assert.match(again.stderr, /exists already/);
      const succeeded = await cli('retry-partitions', 'fan@2026-12-01', '--keys', 'k1');
      assert.equal(succeeded.code, 2);
      assert.match(succeeded.stderr, /k1: did not fail in this run/);
      const retried = await cli('retry-partitions', 'fan@2026-12-01', '--failed', '--wait');
      assert.equal(retried.code, 1, 'k3 fails again');
      assert.match(retried.stderr, /retrying 1 partition of fan@2026-12-01: k3#2/);
      assert.match(retried.stdout, /3 succeeded, 1 failed.*round 2/);
    });

    it(
      'deadline: a warning when the projected finish passes it, a critical one when it passes with partitions to go; the run goes on',
      { timeout: 300_000 },
      async () => {
        const hook = new HttpSink();
        await hook.start();
        const connection = await Connection.connect({ address: dev.server.address });
        try {
          const client = jobnetClient(connection);
          const deadlineMs = 12_000;
          // One partition at a time, 0.4 s each: 10 end well before the 12 s deadline, at a rate that projects the 60 to end far after it.
          const input: FanoutRunInput = {
            name: 'late-fan',
            businessDate: '2026-12-01',
            source: { kind: 'items', items: Array.from({ length: 60 }, (_, i) => `k${String(i).padStart(2, '0')}`) },
            item: { name: 'slow-key', job: jobSpec({ command: ['sleep', '0.4'], timeout: '1m' }) },
            maxParallel: 1,
            batchSize: 1,
            deadline: deadlineMs,
            notify: {
              channels: { hook: { type: 'webhook', url: hook.url('/hook') } },
              routes: [{ severity: ['warning', 'critical'], events: ['sla_warning'], channels: ['hook'] }],
              runbooks: {},
              uiBaseUrl: 'http://localhost:8233',
            },
          };
          const handle = await client.workflow.start('fanoutWorkflow', { taskQueue: 'fanout-cli', workflowId: 'late-fan@2026-12-01', args: [input] });
          const result = await fanoutOutcome(handle);
          assert.equal(result.status, 'success', 'a deadline warns; it does not stop the run');
          assert.equal(result.succeeded, 60);
          const warnings = await waitFor(() => hook.at('/hook').length >= 2 && hook.at('/hook'), 30_000, 'two sla_warning events at the webhook');
          const events = warnings.map((delivery) => jobnetEventSchema.parse((delivery.body as { event: unknown }).event));
          assert.deepEqual(
            events.map((event) => [event.type, event.severity]).sort(),
            [
              ['sla_warning', 'critical'],
              ['sla_warning', 'warning'],
            ],
            JSON.stringify(events),
          );
          assert.match(events.find((event) => event.severity === 'warning')!.message, /partitions\/s the fan-out ends about .* after its deadline/);
          assert.match(events.find((event) => event.severity === 'critical')!.message, /the deadline .* passed with \d+ of 60 partitions done/);
          const passed = Number(/passed with (\d+) of/.exec(events.find((event) => event.severity === 'critical')!.message)![1]);
          assert.ok(passed >= 10 && passed < 60, `${passed} done at the deadline`);
          assert.equal(result.warnings.length, 2, JSON.stringify(result.warnings));
          // Each once: a late second delivery would show here.
          assert.equal(hook.at('/hook').length, 2);
          assert.ok(result.endTime !== null && Date.parse(result.endTime) - Date.parse(result.startTime) > deadlineMs, 'the run ended after its deadline');
        } finally {
          await connection.close();
          await hook.stop();
        }
      },
    );
  },
);

describe(
  'fan-out with a worker SIGKILLed mid-run (dev server, PostgreSQL, two worker processes)',
  { skip: process.env.JOBNET_FANOUT_SCALE ? 'only the scale test runs at a given scale' : skipUnlessEngine('postgres') },
  () => {
    const COMPANIES = 160;
    let server: DevServer;
    let work: ReturnType<typeof tempDir>;
    let db: TestDatabase;
    const workers: WorkerProcess[] = [];
    const workerName = (index: number) => `billing-worker-${index}`;
    /** Companies whose partition worker `index` started (invoice committed) and nobody finished (no notice yet). */
    const startedNotFinished = async (index: number): Promise<string[]> =>
      (
        await db.db.query<{ company_id: string }>(
          `SELECT i.company_id::text AS company_id FROM invoice_effects i
         WHERE i.worker = $1 AND NOT EXISTS (SELECT 1 FROM notice_effects n WHERE n.company_id = i.company_id) ORDER BY 1`,
          [workerName(index)],
        )
      ).rows.map((row) => row.company_id);
    before(async () => {
      quietRuntime();
      work = tempDir('fanout-crash');
      server = await startDevServer({ dbFile: path.join(work.dir, 'temporal.db'), port: await freePort(), stdio: 'ignore' });
      db = await freshDatabase('postgres');
      await seedBilling(db.db, { companies: COMPANIES, usagePerCompany: 20, month: '2026-11', legacyPlanEvery: 0, brokenUsageEvery: 0 });
      // Every committed invoice insert (a partition's first effect) and notice insert (its last), counted where a
      // duplicate could not hide (no key, same transaction), with the worker that made it (its connections'
      // application_name). A company with an invoice and no notice is a partition started and not finished.
      await db.db.exec(`
      CREATE TABLE invoice_effects (company_id bigint NOT NULL, worker text NOT NULL DEFAULT current_setting('application_name'));
      CREATE FUNCTION count_invoice_effect() RETURNS trigger AS $$ BEGIN INSERT INTO invoice_effects (company_id) VALUES (NEW.company_id); RETURN NEW; END $$ LANGUAGE plpgsql;
      CREATE TRIGGER invoice_effect BEFORE INSERT ON billing_invoices FOR EACH ROW EXECUTE FUNCTION count_invoice_effect();
      CREATE TABLE notice_effects (company_id bigint NOT NULL, worker text NOT NULL DEFAULT current_setting('application_name'));
      CREATE FUNCTION count_notice_effect() RETURNS trigger AS $$ BEGIN INSERT INTO notice_effects (company_id) VALUES (NEW.company_id); RETURN NEW; END $$ LANGUAGE plpgsql;
      CREATE TRIGGER notice_effect BEFORE INSERT ON billing_notices FOR EACH ROW EXECUTE FUNCTION count_notice_effect();
    `);
      for (let i = 0; i < 2; i++) {
        const url = new URL(db.env.DATABASE_URL!);
        url.searchParams.set('application_name', workerName(i));
        workers.push(
          await startWorkerProcess({
            address: server.address,
            queues: ['monthly'],
            env: { ...db.env, DATABASE_URL: url.toString(), JOBNET_LOG_DIR: path.join(work.dir, 'logs') },
          }),
        );
      }
    });
    after(async () => {
      await Promise.all(workers.map((worker) => worker.kill('SIGKILL')));
      await server?.kill();
      await db?.drop();
      await stopTestPostgres();
      work?.cleanup();
    });

    it('loses nothing and duplicates nothing: every company billed once', { timeout: 300_000 }, async () => {
      const connection = await Connection.connect({ address: server.address });
      try {
        const client = jobnetClient(connection);
        const input: FanoutRunInput = {
          name: 'monthly-billing',
          businessDate: '2026-12-01',
          source: { kind: 'sql', query: 'SELECT code AS key FROM billing_companies WHERE active' },
          // The outside call (between the invoice and the notice) makes each company take a moment, so the kill can land mid-partition.
          item: {
            name: 'billing-company',
            job: jobSpec({
              activity: { name: 'billingCompany', args: { externalCallMs: 1_000 } },
              timeout: '1m',
              heartbeatTimeout: '4s',
              retry: { attempts: 3, interval: '1s' },
            }),
          },
          maxParallel: 16,
          queue: 'monthly',
        };
        const handle = await client.workflow.start('fanoutWorkflow', { taskQueue: 'monthly', workflowId: 'monthly-billing@2026-12-01', args: [input] });
        // Kill one worker once the fan-out is well under way and the worker is inside a partition.
        await waitFor(
          async () => ((await handle.query(fanoutStateQuery).catch(() => undefined))?.succeeded ?? 0) >= 40 && (await startedNotFinished(0)).length > 0,
          120_000,
          'worker 0 to be mid-partition with the fan-out well under way',
        );
        await workers[0]!.kill('SIGKILL');
        // Its sessions end with it (what it had not committed is rolled back): after that nothing of it can commit.
        await waitFor(
          async () =>
            (await db.db.query<{ n: string }>('SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name = $1', [workerName(0)])).rows[0]!.n ===
            '0',
          30_000,
          "the killed worker's database sessions to end",
        );
        const interrupted = await startedNotFinished(0);
        assert.ok(interrupted.length >= 1, 'the kill landed mid-partition: a company invoiced by the killed worker has no notice yet');
        const result = await fanoutOutcome(handle);
        assert.equal(result.status, 'success', JSON.stringify(result.failures));
        // The kill landed in a batch: one was run again (and resumed where its last heartbeat left it).
        const history = await handle.fetchHistory();
        const retried = (history.events ?? []).filter(
          (event) => event.activityTaskStartedEventAttributes && (event.activityTaskStartedEventAttributes.attempt ?? 1) > 1,
        );
        assert.ok(retried.length >= 1, 'a batch of partitions was interrupted by the kill and ran again');
        assert.equal(result.succeeded, COMPANIES);
        const counted = await db.db.query<{ company_id: string; n: string }>(
          'SELECT company_id::text AS company_id, count(*)::text AS n FROM invoice_effects GROUP BY company_id',
        );
        assert.equal(counted.rows.length, COMPANIES, 'every company billed');
        assert.deepEqual(
          counted.rows.filter((row) => row.n !== '1'),
          [],
          'no company billed twice',
        );
        const notices = await db.db.query<{ n: string }>('SELECT count(*)::text AS n FROM billing_notices');
        assert.equal(notices.rows[0]!.n, String(COMPANIES));
        // The interrupted partitions were finished by the other worker, their effects each made once.
        const finished = await db.db.query<{ company_id: string; invoices: string; notices: string; by: string }>(
          `SELECT c.id::text AS company_id,
                (SELECT count(*) FROM invoice_effects i WHERE i.company_id = c.id)::text AS invoices,
                (SELECT count(*) FROM notice_effects n WHERE n.company_id = c.id)::text AS notices,
                (SELECT string_agg(n.worker, ',') FROM notice_effects n WHERE n.company_id = c.id) AS by
         FROM billing_companies c ORDER BY 1`,
        );
        assert.deepEqual(
          finished.rows.filter((row) => interrupted.includes(row.company_id)),
          interrupted.map((company_id) => ({ company_id, invoices: '1', notices: '1', by: workerName(1) })),
        );
        const noticesTwice = await db.db.query<{ n: string }>(
          'SELECT count(*)::text AS n FROM (SELECT company_id FROM notice_effects GROUP BY company_id HAVING count(*) > 1) twice',
        );
        assert.equal(noticesTwice.rows[0]!.n, '0', 'no company noticed twice');
      } finally {
        await connection.close();
      }
    });
  },
);
