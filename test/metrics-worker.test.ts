/**
 * The worker's telemetry against the real dev server, the way an operator's Prometheus and log
 * shipper see it: `npm run worker -- --metrics` serves the SDK's runtime metrics and jobnet's on
 * one endpoint, and the worker's JSON log carries run ends without the secrets of its env.
 * The worker runs in its own process: the SDK runtime (and its exporter) is one per process.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import type { JobRunInput } from '../src/catalog/schema/job-schema';
import { jobWorkflow } from '../src/workflows';
import { freePort, startDevServer, type DevServer } from '../scripts/servers';
import { tempDir, waitFor } from './helpers/fs';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';
import { jobnetClient } from '../src/temporal/client';
import { jobRun } from './helpers/runs';

const QUEUE = 'metrics';
const SECRET = 'tok-5f2a9c71e0d4-not-for-logs';

let work: ReturnType<typeof tempDir>;
let server: DevServer;
let worker: WorkerProcess;
let metricsUrl: string;
let client: Client;

before(async () => {
  work = tempDir('metrics');
  server = await startDevServer({ dbFile: path.join(work.dir, 'temporal.db'), port: await freePort(), stdio: 'ignore' });
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  metricsUrl = `http://${metricsAddress}/metrics`;
  worker = await startWorkerProcess({
    address: server.address,
    queues: [QUEUE],
    env: { JOBNET_LOG_DIR: path.join(work.dir, 'logs'), JOBNET_METRICS_ADDRESS: metricsAddress, DEPLOY_API_TOKEN: SECRET },
  });
  client = jobnetClient(await Connection.connect({ address: server.address }));

  const ok: JobRunInput = { name: 'metrics-ok', businessDate: '2026-12-01', job: { command: ['sh', '-c', 'echo JOBNET_RECORD_COUNT=1500'] } };
  // Fails, waits 1 s on its delayed retry, fails again; its error message carries the secret.
  const bad: JobRunInput = {
    name: 'metrics-bad',
    businessDate: '2026-12-01',
    job: { command: ['sh', '-c', 'echo "login with $DEPLOY_API_TOKEN refused" >&2; exit 3'], delayedRetry: { after: '1s' } },
  };
  await client.workflow.execute(jobWorkflow, { taskQueue: QUEUE, workflowId: 'metrics-ok@2026-12-01', args: [jobRun(ok)] });
  await assert.rejects(
    client.workflow.execute(jobWorkflow, { taskQueue: QUEUE, workflowId: 'metrics-bad@2026-12-01', args: [jobRun(bad)] }),
    WorkflowFailedError,
  );
});
after(async () => {
  await client?.connection.close();
  await worker?.kill('SIGTERM');
  await server?.kill();
  work?.cleanup();
});

/** Prometheus text → samples, e.g. { name: 'jobnet_runs_total', labels: { job: 'x' }, value: 1 }. */
function parseMetrics(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const samples = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || line.startsWith('#')) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

async function scrape(): Promise<ReturnType<typeof parseMetrics>> {
  const response = await fetch(metricsUrl);
  assert.equal(response.status, 200);
  return parseMetrics(await response.text());
}

/** Metrics recorded through workflow sinks reach the exporter a moment after the run ends. */
async function scrapeUntil(ready: (samples: ReturnType<typeof parseMetrics>) => boolean): Promise<ReturnType<typeof parseMetrics>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const samples = await scrape();
    if (ready(samples) || Date.now() > deadline) return samples;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const value = (samples: ReturnType<typeof parseMetrics>, name: string, labels: Record<string, string>) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

describe('worker metrics endpoint', () => {
  it('lists jobnet run metrics with the values of the runs, once per run', async () => {
    const samples = await scrapeUntil((s) => value(s, 'jobnet_runs_total', { job: 'metrics-bad' }) > 0);
    assert.equal(value(samples, 'jobnet_runs_total', { job: 'metrics-ok', status: 'success' }), 1);
    assert.equal(value(samples, 'jobnet_runs_total', { job: 'metrics-bad', status: 'error' }), 1);
    assert.equal(value(samples, 'jobnet_records_processed_total', { job: 'metrics-ok' }), 1500);
    assert.equal(value(samples, 'jobnet_delayed_retries_total', { job: 'metrics-bad', status: 'error' }), 1);
    assert.equal(value(samples, 'jobnet_delayed_retries_total', { job: 'metrics-ok' }), 0);
    assert.equal(value(samples, 'jobnet_run_duration_seconds_count', { job: 'metrics-bad' }), 1);
    // The failed run waited at least its 1 s delayed retry.
    assert.ok(value(samples, 'jobnet_run_duration_seconds_sum', { job: 'metrics-bad' }) >= 1);
    // Buckets for batch durations (minutes to hours), not the SDK's request-latency defaults.
    assert.ok(samples.some((s) => s.name === 'jobnet_run_duration_seconds_bucket' && s.labels.le === '3600'));
  });

  it('serves the SDK runtime metrics on the same endpoint', async () => {
    const samples = await scrape();
    assert.ok(value(samples, 'temporal_workflow_completed_total', {}) >= 1, 'temporal_workflow_completed_total');
    assert.ok(value(samples, 'temporal_activity_execution_latency_count', { activity_type: 'runCommand' }) >= 1, 'runCommand latency');
  });
});

describe('worker log', () => {
  it('is JSON with the end of each run, and never the value of a secret variable', async () => {
    // The SDK holds forwarded log lines for ~100 ms to order them.
    await waitFor(() => worker.log().includes('run ended: metrics-bad'), 10_000, 'the end line of metrics-bad').catch((error: Error) => {
      throw new Error(`${error.message}; worker log:\n${worker.log()}`);
    });
    const lines = worker
      .log()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const ends = lines.filter((line) => typeof line.msg === 'string' && line.msg.startsWith('run ended'));
    const bad = ends.find((line) => line.job === 'metrics-bad');
    const ok = ends.find((line) => line.job === 'metrics-ok');
    assert.ok(ok && bad, `run-ended lines of both runs:\n${worker.log()}`);
    assert.equal(ok.status, 'success');
    assert.equal(ok.recordCount, 1500);
    assert.equal(typeof ok.durationMs, 'number');
    assert.equal(bad.status, 'error');
    assert.equal(bad.level, 50, 'a failed run ends with an error line');
    assert.match(String(bad.error), /login with \[redacted\] refused/);
    assert.ok(!worker.log().includes(SECRET), 'the secret appears nowhere in the worker log');
  });
});
