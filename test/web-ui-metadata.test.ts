/**
 * What the Web UI shows besides the history, as it reads it from the dev server: a run's static
 * summary, the summaries of its activities and timers (decoded with the codec, as the codec
 * server does for the UI), and its current details — a job's events, a fan-out's progress.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Connection, type Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { jobnetClient } from '../src/temporal/client';
import { readPayload } from '../src/codec/read-payload';
import { triggerFanout, triggerJob } from '../src/runs/trigger';
import { fanoutOutcome } from '../src/runs/retry-partitions';
import { startDevEnv, type DevEnv } from './helpers/dev-env';
import { jobRun, jobSpec } from './helpers/runs';
import { jobnet } from './helpers/cli';
import { waitFor } from './helpers/fs';
import path from 'node:path';

let env: DevEnv;
let client: Client;

before(async () => {
  env = await startDevEnv('web-ui-metadata');
  client = jobnetClient(await Connection.connect({ address: env.server.address }));
});
after(async () => {
  await client?.connection.close();
  await env?.stop();
});

/** The summaries of a run's scheduled activities and started timers, in history order. */
async function summaries(workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const found: string[] = [];
  for (const event of history.events ?? []) {
    const summary = event.userMetadata?.summary;
    if ((event.activityTaskScheduledEventAttributes || event.timerStartedEventAttributes) && summary)
      found.push(String(await readPayload(client, summary as Payload)));
  }
  return found;
}

async function currentDetails(workflowId: string): Promise<string> {
  const metadata = (await client.workflow.getHandle(workflowId).query('__temporal_workflow_metadata')) as { currentDetails?: string };
  return metadata.currentDetails ?? '';
}

describe('the Web UI metadata of runs', () => {
  it('a job: its summary, an activity per attempt series, the delayed retry timer, its events as current details', async () => {
    const input = jobRun({
      name: 'flaky',
      businessDate: '2026-12-01',
      job: { command: ['sh', '-c', 'exit 3'], retry: { attempts: 2, interval: '100ms' }, delayedRetry: { after: '1s' }, timeout: '30s' },
    });
    const { handle } = await triggerJob(client, { input, taskQueue: 'default', description: 'fails on purpose' });
    await assert.rejects(handle.result());
    assert.equal(await (await handle.describe()).staticSummary(), 'flaky — fails on purpose · flaky@2026-12-01');
    assert.deepEqual(await summaries(handle.workflowId), [
      'command: sh -c exit 3 · up to 2 attempts',
      'delayed retry in 1s',
      'command: sh -c exit 3 · the delayed retry',
    ]);
    const details = await currentDetails(handle.workflowId);
    assert.match(details, /^\*\*flaky@2026-12-01\*\* — error · attempts 3$/m, details);
    assert.match(details, /^\| .* \| retry_scheduled \| retry at 2026-/m, details);
    assert.match(details, /^\| .* \| retry_failed \| attempt 3 · exited with code 3/m, details);
  });

  it('a fan-out: its batches by their keys, its progress as current details', async () => {
    const { handle } = await triggerFanout(client, {
      input: {
        name: 'bills',
        businessDate: '2026-12-01',
        source: { kind: 'items', items: ['a', 'b', 'c'] },
        item: { name: 'bill', job: jobSpec({ description: 'one bill per company', command: ['sh', '-c', 'test "$JOBNET_ITEM" != b'] }) },
        maxParallel: 4,
        batchSize: 3,
        runbooks: { 'exit:1': 'https://runbooks.example/bill' },
      },
      taskQueue: 'default',
    });
    const result = await fanoutOutcome(handle);
    assert.equal(result.status, 'partial');
    assert.deepEqual(await summaries(handle.workflowId), ['partitions a … c (3, 3 at a time)']);
    // A batch's input carries what running a key needs of the item job — not its description and the rest.
    const scheduled = (await client.workflow.getHandle(handle.workflowId).fetchHistory()).events?.find((event) => event.activityTaskScheduledEventAttributes);
    const batch = (await readPayload(client, scheduled?.activityTaskScheduledEventAttributes?.input?.payloads?.[0] as Payload)) as {
      item: { name: string; job: Record<string, unknown> };
    };
    assert.equal(batch.item.name, 'bill');
    assert.deepEqual(Object.keys(batch.item.job).sort(), ['command', 'env', 'killGrace', 'retry', 'safeToRepeat', 'timeout']);
    const details = await currentDetails(handle.workflowId);
    assert.match(details, /bills \(2026-12-01\): partial — 3\/3 partitions done: 2 succeeded, 1 failed/, details);
    assert.match(details, /failed exit:1 ×1 \(runbook https:\/\/runbooks\.example\/bill\): b/, details);

    // The fan-out run in history and the report like any run.
    const history = await waitFor(
      async () => {
        const listed = await jobnet('--address', env.server.address, 'history', 'bills');
        return /^bills@2026-12-01\s+partial\s/m.test(listed.stdout) && listed;
      },
      30_000,
      'the fan-out run in history',
    );
    assert.equal(history.code, 0);
    const report = await jobnet(
      '--address',
      env.server.address,
      '--json',
      'report',
      '--since',
      '2026-11-01',
      '--job',
      'bills',
      '-o',
      path.join(env.work.dir, 'bills.html'),
    );
    assert.equal(report.code, 0, report.stderr);
    assert.deepEqual((JSON.parse(report.stdout) as { totals: unknown }).totals, { runs: 1, succeeded: 0, failed: 1, running: 0, records: 2 });
  });
});
