/**
 * `npm run test:cluster` — jobnet on a production-shaped Temporal (scripts/temporal-cluster.ts):
 * two server processes over PostgreSQL (persistence and SQL visibility), 4 history shards, TLS
 * on the frontends, jobnet's search attributes registered with `temporal operator`. The CLI and
 * the worker reach it only through Temporal's environment configuration (TEMPORAL_ADDRESS and
 * the TLS variables), as they would in production.
 *
 * The core of the integration suite runs against it — a jobnet with a fan-out step, a lock
 * contention, an `after` pair, a Schedule that fires, runs listed through the visibility API with
 * their search attributes — and then the failover: one server process SIGKILLed while a jobnet
 * runs; the run completes by itself, each step once; the node comes back and serves again.
 *
 * Uses JOBNET_TEST_POSTGRES_URL when set (CI), else a throwaway PostgreSQL of its own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection, type Client } from '@temporalio/client';
import { startTemporalCluster, type TemporalCluster } from '../../scripts/temporal-cluster';
import { jobnetClient } from '../../src/temporal/client';
import { CliContext } from '../../src/cli/context';
import { jobnetRunInput } from '../../src/catalog/compile/jobnet-input';
import { temporalTarget } from '../../src/temporal/connection';
import { jobnet } from '../helpers/cli';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const DATE = '2026-12-01';
let dir: string;
let cluster: TemporalCluster;
let worker: WorkerProcess;
let client: Client;
let catalogFile: string;
let traceFile: string;
const savedEnv = { ...process.env };

/** Each command notes `<run id> start|end <ms>` in the trace, so a test can count and order effects. */
const step = (seconds: number) =>
  `[sh, -c, 'echo "$JOBNET_RUN_ID start $(date +%s%3N)" >> "$CLUSTER_TRACE"; sleep ${seconds}; echo "$JOBNET_RUN_ID end $(date +%s%3N)" >> "$CLUSTER_TRACE"']`;

function catalogYaml(): string {
  return `version: 1
timezone: UTC
defaults:
  timeout: 2m
  killGrace: 2s
  # Longer than a failover: while the dead node's shards move (membership notices the death,
  # another node takes its shards: ~10 s here), heartbeats cannot be recorded; an attempt whose
  # heartbeat time-out is shorter is retried although its command still runs (README "Production").
  heartbeatTimeout: 30s
  retry: { attempts: 5, interval: 1s }
locks:
  shared: { policy: wait, maxWait: 5m }
jobs:
  lock-a: { command: ${step(1)}, locks: [shared] }
  lock-b: { command: ${step(1)}, locks: [shared] }
  after-first: { command: ${step(1)} }
  after-second:
    command: ${step(0.2)}
    after: [{ job: after-first, maxWait: 5m }]
  tick:
    command: ${step(0)}
    schedule: { interval: 2s }
  part: { command: ${step(0.2)} }
  parts:
    fanout:
      items: [k1, k2, k3, k4, k5, k6]
      job: part
      maxParallel: 3
jobnets:
  flow:
    jobs:
      extract: { command: ${step(0.3)} }
      left:    { command: ${step(0.5)}, needs: [extract] }
      fan:     { use: parts, needs: [extract] }
      load:    { command: ${step(0.3)}, needs: [left, fan] }
  chain:
    jobs:
      a: { command: ${step(2)} }
      b: { command: ${step(2)}, needs: [a] }
      c: { command: ${step(2)}, needs: [b] }
      d: { command: ${step(2)}, needs: [c] }
`;
}

interface Effect {
  run: string;
  what: 'start' | 'end';
  at: number;
}

function effects(): Effect[] {
  let text = '';
  try {
    text = readFileSync(traceFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [run, what, at] = line.split(' ');
      return { run: run!, what: what as Effect['what'], at: Number(at) };
    });
}

const starts = (run: string) => effects().filter((effect) => effect.run === run && effect.what === 'start');

const cli = (...argv: string[]) => jobnet('-c', catalogFile, ...argv);

async function result(workflowId: string, timeoutMs = 120_000): Promise<unknown> {
  const handle = client.workflow.getHandle(workflowId);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${workflowId} did not finish within ${timeoutMs} ms`)), timeoutMs)),
  );
  // The timer is cleared once the run ends: a late rejection would fail the file after its tests.
  return Promise.race([handle.result(), late]).finally(() => clearTimeout(timer));
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'jobnet-cluster-test-'));
  cluster = await startTemporalCluster({ dir, nodes: 2, postgresUrl: process.env.JOBNET_TEST_POSTGRES_URL, log: (line) => console.error(`cluster: ${line}`) });
  // Everything below reaches the cluster only through Temporal's environment configuration.
  Object.assign(process.env, cluster.clientEnv);
  traceFile = path.join(dir, 'trace.log');
  process.env.CLUSTER_TRACE = traceFile;
  catalogFile = path.join(dir, 'jobnet.yaml');
  writeFileSync(catalogFile, catalogYaml());
  worker = await startWorkerProcess({ address: cluster.address, queues: ['default'] });
  client = jobnetClient(await Connection.connect(temporalTarget().connectionOptions));
});

after(async () => {
  const began = Date.now();
  const note = (what: string) => console.error(`cluster: ${what} (${Date.now() - began} ms into the clean-up)`);
  await client?.connection.close().catch(() => undefined);
  await worker?.kill('SIGTERM');
  note('worker stopped');
  await cluster?.stop();
  note('cluster stopped');
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('jobnet on a two-node PostgreSQL Temporal cluster with TLS', () => {
  it('runs a jobnet with a fan-out step, a lock contention and an after pair, each effect once', async () => {
    for (const name of ['flow', 'lock-a', 'lock-b', 'after-second', 'after-first']) {
      const started = await cli('run', name, '--date', DATE);
      assert.equal(started.code, 0, `${name}: ${started.stderr}`);
    }
    await Promise.all(['flow', 'lock-a', 'lock-b', 'after-first', 'after-second'].map((name) => result(`${name}@${DATE}`)));

    for (const stepName of ['extract', 'left', 'load']) assert.equal(starts(`flow@${DATE}/${stepName}`).length, 1, `flow/${stepName} once`);
    const partitions = effects().filter((effect) => effect.what === 'start' && effect.run.startsWith(`flow@${DATE}/fan/`));
    assert.deepEqual(partitions.map((effect) => effect.run.split('/').at(-1)).sort(), ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'], 'each partition once');

    // The lock: the two holders' commands never overlap.
    const span = (run: string) => {
      const [start, end] = ['start', 'end'].map((what) => effects().find((effect) => effect.run === run && effect.what === what)!.at);
      return { start: start!, end: end! };
    };
    const [a, b] = [span(`lock-a@${DATE}`), span(`lock-b@${DATE}`)];
    assert.ok(a.end <= b.start || b.end <= a.start, `lock holders overlapped: ${JSON.stringify({ a, b })}`);
    // after: the second started only once the first had ended, though it was started first.
    assert.ok(span(`after-second@${DATE}`).start >= span(`after-first@${DATE}`).end, 'after-second waited for after-first');
  });

  it("lists runs through SQL visibility with their search attributes (jobnet list / history, the Web UI's API)", async () => {
    const history = await cli('history', 'flow');
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, new RegExp(`flow@${DATE}\\s+success`));
    // The query the Web UI sends for a job's runs: custom search attributes on SQL visibility.
    const listed: string[] = [];
    for await (const run of client.workflow.list({ query: `JobName = 'lock-a' AND BusinessDate = '${DATE}' AND JobStatus = 'success'` }))
      listed.push(run.workflowId);
    assert.deepEqual(listed, [`lock-a@${DATE}`]);
  });

  it('fires a Schedule synced from the catalog', async () => {
    const synced = await cli('sync');
    assert.equal(synced.code, 0, synced.stderr);
    try {
      const deadline = Date.now() + 30_000;
      while (!effects().some((effect) => effect.run.startsWith('tick@') && effect.what === 'end')) {
        if (Date.now() > deadline) throw new Error('no fire of tick within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      // Stop its fires so they do not run on through the failover test.
      await client.schedule
        .getHandle('jobnet:tick')
        .delete()
        .catch(() => undefined);
    }
  });

  it('fails over: a server process SIGKILLed mid-jobnet, the run completes by itself with each step once; the node comes back and serves', async () => {
    const started = await cli('run', 'chain', '--date', DATE);
    assert.equal(started.code, 0, started.stderr);
    const run = `chain@${DATE}`;
    // Kill a node while step b runs (a and the hand-over to b done under both nodes).
    const deadline = Date.now() + 60_000;
    while (starts(`${run}/b`).length === 0) {
      if (Date.now() > deadline) throw new Error(`step b of ${run} never started`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const killedAt = Date.now();
    await cluster.killNode(1);
    console.error(`cluster: node-2 SIGKILLed ${killedAt - starts(`${run}/b`)[0]!.at} ms into step b`);

    await result(run, 180_000);
    console.error(`cluster: ${run} completed ${Date.now() - killedAt} ms after the kill`);
    for (const stepName of ['a', 'b', 'c', 'd']) {
      const ran = starts(`${run}/${stepName}`).length;
      // A command killed by nothing runs once; the worker was never killed, so no step may repeat.
      assert.equal(ran, 1, `step ${stepName} ran ${ran} times`);
    }
    const status = await cli('status', run);
    assert.match(status.stdout, new RegExp(`^${run}: success`), status.stdout);

    // The node rejoins; a client talking to it alone runs a job.
    await cluster.startNode(1);
    const direct = jobnetClient(
      await Connection.connect({
        address: cluster.nodes[1]!.frontend,
        tls: { serverNameOverride: cluster.tls.serverName, serverRootCACertificate: readFileSync(cluster.tls.caFile) },
      }),
    );
    try {
      const handle = await direct.workflow.start('jobnetWorkflow', {
        taskQueue: 'default',
        workflowId: `rejoin-probe-${Date.now()}`,
        args: [await jobnetInput('chain', '2026-12-02')],
      });
      await handle.result();
    } finally {
      await direct.connection.close();
    }
  });
});

/** A jobnet's run input as `jobnet run` builds it. */
async function jobnetInput(name: string, businessDate: string): Promise<unknown> {
  const ctx = new CliContext({ catalog: catalogFile }, { out: () => undefined, err: () => undefined });
  return jobnetRunInput(ctx.catalog(), name, businessDate);
}
