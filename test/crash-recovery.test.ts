/**
 * The product's core promise against the real dev server: a crash resumes, it never hangs
 * "running" (seed 002). A worker SIGKILLed mid-command and a Temporal server SIGKILLed
 * mid-command both end with a completed run and no stray process. A lost attempt runs again at
 * most 3 times, and never for a job not safe to repeat (it ends worker-lost); a worker stopped
 * with SIGTERM drains: its running command finishes, it takes nothing new.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { JobRunInput } from '../src/catalog/schema/job-schema';
import { jobnetRunInput } from '../src/catalog/compile/jobnet-input';
import { parseCatalog } from '../src/catalog/load/load';
import { jobWorkflow, jobnetWorkflow } from '../src/workflows';
import { SEED_001, intervals, jobOutcome } from './helpers/catalog-runs';
import { freePort, startDevServer, type DevServer } from '../scripts/servers';
import { processAlive, tempDir, waitFor } from './helpers/fs';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';
import { jobnetClient } from '../src/temporal/client';
import { jobRun } from './helpers/runs';

let work: ReturnType<typeof tempDir>;
let server: DevServer;
let port: number;
let dbFile: string;
const workers: WorkerProcess[] = [];

async function client(): Promise<Client> {
  return jobnetClient(await Connection.connect({ address: server.address }));
}

before(async () => {
  work = tempDir('crash');
  dbFile = path.join(work.dir, 'temporal.db');
  port = await freePort();
  server = await startDevServer({ dbFile, port, stdio: 'ignore' });
});
after(async () => {
  await Promise.all(workers.map((w) => w.kill('SIGKILL')));
  await server?.kill();
  work?.cleanup();
});

const env = () => ({ JOBNET_LOG_DIR: path.join(work.dir, 'logs') });

/** The lines of a file the test's commands append to (one per run of the command); none before it exists. */
const linesOf = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);

/** Starts a worker process on `queue`, waits until the command has run `runs` times in all, and SIGKILLs the worker mid-command. */
async function killWorkerMidCommand(queue: string, runsFile: string, runs: number): Promise<void> {
  const worker = await startWorkerProcess({ address: server.address, queues: [queue], env: env() });
  workers.push(worker);
  await waitFor(() => linesOf(runsFile).length >= runs, 60_000, `run ${runs} of the command to start`).catch((error: Error) => {
    throw new Error(`${error.message}\nworker log:\n${worker.log()}`);
  });
  assert.equal(linesOf(runsFile).length, runs, 'the command ran exactly once more before the kill');
  await worker.kill('SIGKILL');
}

describe('crash recovery on the dev server', () => {
  it('a worker SIGKILLed while its command runs: the command dies with it, a second worker finishes the job', async () => {
    const queue = 'crash-worker';
    const pids = path.join(work.dir, 'worker-crash.pids');
    const first = await startWorkerProcess({ address: server.address, queues: [queue], env: env() });
    workers.push(first);
    const input: JobRunInput = {
      name: 'worker-crash',
      businessDate: '2026-12-01',
      // The shell and a grandchild record their pids, then the job takes 6 seconds. Both ignore
      // SIGTERM (inherited), so only the reaper's KILL after its grace can stop them.
      job: {
        command: ['sh', '-c', `trap "" TERM; sleep 120 & echo "$$ $!" >> "${pids}"; sleep 6; echo finished`],
        heartbeatTimeout: '3s',
        timeout: '2m',
        killGrace: '1s',
      },
    };
    const temporal = await client();
    const handle = await temporal.workflow.start(jobWorkflow, { taskQueue: queue, workflowId: 'worker-crash@2026-12-01', args: [jobRun(input)] });

    // `|| undefined`: a file created but not yet written reads '' — not the line waited for.
    const line = await waitFor(() => (existsSync(pids) && readFileSync(pids, 'utf8').trim()) || undefined, 30_000, 'the command to start');
    const [shell, grandchild] = line.split(/\s+/).map(Number) as [number, number];
    await first.kill('SIGKILL');
    // The reaper stops the orphaned tree; it must not keep running without its worker.
    await waitFor(() => !processAlive(shell) && !processAlive(grandchild), 15_000, 'the first command tree to be gone').catch((error: Error) => {
      throw new Error(`${error.message}\nworker log:\n${first.log()}`);
    });

    const second = await startWorkerProcess({ address: server.address, queues: [queue], env: env() });
    workers.push(second);
    const result = await handle.result();
    assert.equal(result.status, 'success');
    assert.ok(
      result.events.some((e) => e.type === 'worker_lost'),
      JSON.stringify(result.events),
    );
    assert.equal(readFileSync(pids, 'utf8').trim().split('\n').length, 2, 'ran once on each worker');
    await temporal.connection.close();
  });

  it('a job not safe to repeat whose worker is SIGKILLed mid-command ends worker-lost: its command is not run again', async () => {
    const queue = 'crash-unsafe';
    const runs = path.join(work.dir, 'unsafe.runs');
    const input: JobRunInput = {
      name: 'unsafe-crash',
      businessDate: '2026-12-01',
      // Retries are configured, and still must not be used: the job says it is not safe to repeat.
      job: {
        command: ['sh', '-c', `echo "$$" >> "${runs}"; sleep 120; echo finished`],
        heartbeatTimeout: '3s',
        timeout: '5m',
        killGrace: '1s',
        safeToRepeat: false,
        retry: { attempts: 3, interval: '1s' },
      },
    };
    const temporal = await client();
    const handle = await temporal.workflow.start(jobWorkflow, { taskQueue: queue, workflowId: 'unsafe-crash@2026-12-01', args: [jobRun(input)] });
    await killWorkerMidCommand(queue, runs, 1);
    // A worker serves the queue again: were the lost attempt repeated, it would run here.
    const second = await startWorkerProcess({ address: server.address, queues: [queue], env: env() });
    workers.push(second);

    const result = await jobOutcome(handle);
    assert.equal(result.status, 'worker-lost', JSON.stringify(result));
    assert.equal(result.attempts, 1);
    assert.ok(!result.events.some((e) => e.type === 'worker_lost' || e.type === 'retry_scheduled'), JSON.stringify(result.events));
    assert.equal(linesOf(runs).length, 1, 'the command ran once, on the lost worker only');
    assert.equal((await handle.describe()).status.name, 'FAILED');
    await temporal.connection.close();
  });

  it('a lost attempt runs again on another worker at most 3 times: the 4th lost worker ends the run worker-lost', async () => {
    const queue = 'crash-repeated';
    const runs = path.join(work.dir, 'repeated.runs');
    const input: JobRunInput = {
      name: 'repeated-crash',
      businessDate: '2026-12-01',
      // Runs 1–4 hang until their worker is killed; a 5th run (one too many) would succeed at once.
      job: {
        command: ['sh', '-c', `echo "$$" >> "${runs}"; n=$(wc -l < "${runs}"); if [ "$n" -ge 5 ]; then echo "run $n"; exit 0; fi; sleep 120`],
        heartbeatTimeout: '3s',
        timeout: '5m',
        killGrace: '1s',
      },
    };
    const temporal = await client();
    const handle = await temporal.workflow.start(jobWorkflow, { taskQueue: queue, workflowId: 'repeated-crash@2026-12-01', args: [jobRun(input)] });
    for (let run = 1; run <= 4; run++) await killWorkerMidCommand(queue, runs, run);
    const last = await startWorkerProcess({ address: server.address, queues: [queue], env: env() });
    workers.push(last);

    const result = await jobOutcome(handle);
    assert.equal(result.status, 'worker-lost', JSON.stringify(result));
    assert.equal(result.events.filter((e) => e.type === 'worker_lost').length, 3, JSON.stringify(result.events));
    assert.equal(result.attempts, 4);
    assert.equal(linesOf(runs).length, 4, 'the first run and 3 runs again, no more');
    await temporal.connection.close();
  });

  it('--drain: on SIGTERM the worker takes no new work, lets its running command finish, then exits', async () => {
    const queue = 'drain';
    const trace = path.join(work.dir, 'drain.trace');
    // Commands inherit the worker's environment: WORKER_TAG says which worker ran them.
    const traced = (name: string, seconds: number): JobRunInput => ({
      name,
      businessDate: '2026-12-01',
      job: {
        command: ['sh', '-c', `echo "$WORKER_TAG $JOBNET_JOB start" >> "${trace}"; sleep ${seconds}; echo "$WORKER_TAG $JOBNET_JOB end" >> "${trace}"`],
        timeout: '2m',
        heartbeatTimeout: '10s',
      },
    });
    const draining = await startWorkerProcess({
      address: server.address,
      queues: [queue],
      env: { ...env(), WORKER_TAG: 'draining' },
      args: ['--drain', '30s'],
    });
    workers.push(draining);
    const temporal = await client();
    const running = await temporal.workflow.start(jobWorkflow, {
      taskQueue: queue,
      workflowId: 'drain-running@2026-12-01',
      args: [jobRun(traced('drain-running', 5))],
    });
    await waitFor(() => linesOf(trace).includes('draining drain-running start'), 60_000, 'the first command to start on the draining worker');

    const exited = new Promise<{ code: number | null; at: number }>((resolve) => draining.child.once('exit', (code) => resolve({ code, at: Date.now() })));
    const stopAt = Date.now();
    draining.child.kill('SIGTERM');
    // Work that comes while the worker drains is not its to take.
    const next = await temporal.workflow.start(jobWorkflow, { taskQueue: queue, workflowId: 'drain-next@2026-12-01', args: [jobRun(traced('drain-next', 0))] });
    const { code, at } = await exited;
    assert.equal(code, 0, `the worker stopped cleanly:\n${draining.log()}`);
    assert.ok(at - stopAt < 30_000, `it exited ${at - stopAt} ms after SIGTERM, once its command was done, not at the end of --drain`);
    assert.deepEqual(linesOf(trace), ['draining drain-running start', 'draining drain-running end'], 'the running command finished; nothing new started');

    const fresh = await startWorkerProcess({ address: server.address, queues: [queue], env: { ...env(), WORKER_TAG: 'fresh' } });
    workers.push(fresh);
    const [first, second] = await Promise.all([jobOutcome(running), jobOutcome(next)]);
    assert.equal(first.status, 'success', JSON.stringify(first));
    assert.equal(first.attempts, 1, 'the drained command was not run again');
    assert.equal(second.status, 'success', JSON.stringify(second));
    assert.deepEqual(linesOf(trace), ['draining drain-running start', 'draining drain-running end', 'fresh drain-next start', 'fresh drain-next end']);
    await temporal.connection.close();
  });

  it('the Temporal server SIGKILLed while a command runs, restarted on the same DB file: the run completes by itself', async () => {
    const queue = 'crash-server';
    const marker = path.join(work.dir, 'server-crash.started');
    const worker = await startWorkerProcess({ address: server.address, queues: [queue], env: env() });
    workers.push(worker);
    const input: JobRunInput = {
      name: 'server-crash',
      businessDate: '2026-12-01',
      job: { command: ['sh', '-c', `echo started > "${marker}"; sleep 8; echo finished`], timeout: '2m', heartbeatTimeout: '60s' },
    };
    const before = await client();
    await before.workflow.start(jobWorkflow, { taskQueue: queue, workflowId: 'server-crash@2026-12-01', args: [jobRun(input)] });
    await before.connection.close();

    await waitFor(() => existsSync(marker), 30_000, 'the command to start');
    await server.kill();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    server = await startDevServer({ dbFile, port, stdio: 'ignore' });

    const after = await client();
    const result = await after.workflow.getHandle<typeof jobWorkflow>('server-crash@2026-12-01').result();
    assert.equal(result.status, 'success');
    assert.match(result.output, /finished/);
    const description = await after.workflow.getHandle('server-crash@2026-12-01').describe();
    assert.equal(description.status.name, 'COMPLETED');
    await after.connection.close();
  });

  it('seed 001: the Temporal server SIGKILLed while BATCH-001 runs, restarted on the same DB file: the jobnet completes by itself and BATCH-002 runs', async () => {
    const queue = 'crash-jobnet';
    const trace = path.join(work.dir, 'seed-001-crash.trace');
    const vars = { ...process.env, JOBNET_TRACE: trace, BATCH_001_SECONDS: '8' };
    // The commands' ${JOBNET_TRACE} and ${BATCH_001_SECONDS} are resolved on the worker's host.
    const worker = await startWorkerProcess({ address: server.address, queues: [queue], env: { ...env(), JOBNET_TRACE: trace, BATCH_001_SECONDS: '8' } });
    workers.push(worker);
    const catalog = parseCatalog(readFileSync(SEED_001, 'utf8'), SEED_001, { env: vars });
    const input = jobnetRunInput(catalog, 'seed-001', '2026-12-01', vars);
    const workflowId = 'seed-001@2026-12-01';
    const before = await client();
    await before.workflow.start(jobnetWorkflow, { taskQueue: queue, workflowId, args: [input] });
    await before.connection.close();

    await waitFor(() => existsSync(trace) && readFileSync(trace, 'utf8').includes('BATCH-001 start'), 30_000, 'BATCH-001 to start');
    await server.kill();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    server = await startDevServer({ dbFile, port, stdio: 'ignore' });

    const after = await client();
    const result = await after.workflow.getHandle<typeof jobnetWorkflow>(workflowId).result();
    assert.equal(result.status, 'success');
    assert.deepEqual(Object.fromEntries(Object.entries(result.steps).map(([name, step]) => [name, step.status])), {
      'BATCH-000': 'succeeded',
      'BATCH-001': 'succeeded',
      'BATCH-002': 'succeeded',
      'on-error': 'not-run',
    });
    // Each step ran once, in order: the crash repeated nothing and left nothing behind.
    const ran = intervals(trace);
    assert.deepEqual(
      ran.map((interval) => interval.job),
      ['BATCH-000', 'BATCH-001', 'BATCH-002'],
    );
    assert.ok(ran[2]!.start >= ran[1]!.end, 'BATCH-002 started after BATCH-001 ended');
    // Nothing stuck "running": every run of the jobnet is closed.
    const open: string[] = [];
    for await (const run of after.workflow.list({ query: `WorkflowId STARTS_WITH "seed-001@2026-12-01" AND ExecutionStatus = "Running"` }))
      open.push(run.workflowId);
    assert.deepEqual(open, []);
    await after.connection.close();
  });
});
