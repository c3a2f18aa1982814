/**
 * The same promises as notify-workflow.test.ts, on the real Temporal dev server rather than the
 * Java test server (whose handling of abandoned children differs): the emitting run completes
 * while Slack is down, its notify workflow outlives it and delivers once when Slack is back,
 * and emitting the same event again after delivery is refused by the server as a duplicate.
 * Slack is down for seconds of real time here, not minutes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { freePort, startDevServer, type DevServer } from '../scripts/servers';
import { emitterWorkflow, notifyWorkflow, type EmitterInput } from './workflows/notify-emitter';
import { tempDir } from './helpers/fs';
import { HttpSink } from './helpers/sinks';
import { quietRuntime } from './helpers/time-skipping';
import { bundleWorkflows, jobnetWorkerOptions } from '../src/worker-setup';
import { jobnetClient } from '../src/temporal/client';

const TASK_QUEUE = 'notify-dev';
let server: DevServer;
let work: ReturnType<typeof tempDir>;
let workerConnection: NativeConnection;
let clientConnection: Connection;
let client: Client;
let worker: Worker;
let running: Promise<void>;
let slack: HttpSink;

before(async () => {
  quietRuntime();
  work = tempDir('notify-dev');
  slack = new HttpSink();
  await slack.start();
  const [devServer, workflowBundle] = await Promise.all([
    freePort().then((port) => startDevServer({ dbFile: path.join(work.dir, 'temporal.db'), port, stdio: 'ignore' })),
    bundleWorkflows(undefined, require.resolve('./workflows/notify-emitter')),
  ]);
  server = devServer;
  workerConnection = await NativeConnection.connect({ address: server.address });
  clientConnection = await Connection.connect({ address: server.address });
  client = jobnetClient(clientConnection);
  worker = await Worker.create({ ...jobnetWorkerOptions(), connection: workerConnection, taskQueue: TASK_QUEUE, workflowBundle });
  running = worker.run();
});
after(async () => {
  worker?.shutdown();
  await running;
  await clientConnection?.close();
  await workerConnection?.close();
  await server?.kill();
  await slack?.stop();
  work?.cleanup();
});

describe('notifications on the dev server', () => {
  it('the run ends while Slack is down; its notification outlives it and arrives once; a repeat is refused', async () => {
    const input: EmitterInput = {
      routing: {
        channels: { 'ops-slack': { type: 'slack', webhookUrl: slack.url('/dev/slack') } },
        routes: [{ severity: ['critical'], channels: ['ops-slack'] }],
      },
      steps: [{ draft: { type: 'failed', job: 'BATCH-001', businessDate: '2026-12-01', message: 'exit 1' } }],
    };
    await slack.setMode('refuse');
    const [emitted] = await client.workflow.execute(emitterWorkflow, { taskQueue: TASK_QUEUE, workflowId: 'BATCH-001@2026-12-01', args: [input] });
    assert.equal(emitted?.status, 'started');
    const notify = client.workflow.getHandle<typeof notifyWorkflow>(emitted?.key ?? '');
    assert.equal((await notify.describe()).status.name, 'RUNNING');
    assert.equal((await client.workflow.getHandle('BATCH-001@2026-12-01').describe()).status.name, 'COMPLETED');

    // Down long enough for several tries (1 s, 2 s, 4 s apart).
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    await slack.setMode('up');
    const result = await notify.result();
    assert.equal(result.outcomes[0]?.status, 'delivered');
    assert.ok((result.outcomes[0]?.attempt ?? 0) >= 3, `delivered on try ${result.outcomes[0]?.attempt}`);
    assert.equal(slack.at('/dev/slack').length, 1);

    // A run raising the same event twice, the second time after the first notification has
    // finished: the server refuses the id of a closed workflow too (REJECT_DUPLICATE).
    const step = input.steps[0] ?? assert.fail('no step');
    const handle = await client.workflow.start(emitterWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId: 'emitter-twice',
      args: [{ ...input, steps: [step, { ...step, sleepBefore: '3s' }] }],
    });
    const twice = await handle.result();
    assert.deepEqual(
      twice.map((r) => r.status),
      ['started', 'duplicate'],
    );
    const firstNotify = await client.workflow.getHandle(twice[0]?.key ?? '').describe();
    const emitterClosed = (await handle.describe()).closeTime;
    assert.ok(firstNotify.closeTime && emitterClosed && firstNotify.closeTime < emitterClosed, 'the first notification had finished before the repeat');
    assert.equal(slack.at('/dev/slack').length, 2, 'one more delivery for the new run, none for its repeat');
  });
});
