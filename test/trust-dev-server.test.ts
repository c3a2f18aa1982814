/**
 * Only key holders can make a worker run anything (dev server): a run started by a client
 * without the key, or with another key, is refused with UntrustedPayload and spawns nothing;
 * keys rotate (a run written under A finished by a worker with B,A; a worker with only B
 * refuses it, saying why); an encrypted history replays with the keys and not without them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, type Payload } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { JobRunInput } from '../src/catalog/schema/job-schema';
import type { JobResult } from '../src/catalog/schema/run-result';
import { jobnetClient } from '../src/temporal/client';
import { KEY_ID_METADATA, keyIdOf } from '../src/codec/aes-gcm-codec';
import { newKeyEntry, parseKeyList, type CodecSettings } from '../src/codec/keys';
import { jobnetWorkerOptions } from '../src/worker-setup';
import { jobStateQuery } from '../src/workflows/definitions';
import { freePort, startDevServer, type DevServer } from '../scripts/servers';
import { tempDir, waitFor } from './helpers/fs';
import { jobnet } from './helpers/cli';
import { quietRuntime, sharedBundle } from './helpers/time-skipping';
import { jobRun } from './helpers/runs';

const A = newKeyEntry('A');
const B = newKeyEntry('B');
const codec = (keys: string): CodecSettings => ({ mode: 'on', keyring: parseKeyList(keys) });

let server: DevServer;
let work: ReturnType<typeof tempDir>;
let connection: Connection;
let workerConnection: NativeConnection;
const clientA = () => jobnetClient(connection, 'default', codec(A));
const clientBA = () => jobnetClient(connection, 'default', codec(`${B},${A}`));

before(async () => {
  quietRuntime();
  work = tempDir('trust');
  process.env.JOBNET_LOG_DIR = path.join(work.dir, 'logs');
  server = await startDevServer({ dbFile: path.join(work.dir, 'temporal.db'), port: await freePort(), stdio: 'ignore' });
  connection = await Connection.connect({ address: server.address });
  workerConnection = await NativeConnection.connect({ address: server.address });
});
after(async () => {
  await connection?.close();
  await workerConnection?.close();
  await server?.kill();
  work?.cleanup();
});

/** A worker on `queue` with `keys`, running until the returned stop is called. */
async function workerWith(keys: CodecSettings, queue: string): Promise<{ worker: Worker; stop: () => Promise<void> }> {
  const worker = await Worker.create({
    ...jobnetWorkerOptions({ codec: keys }),
    connection: workerConnection,
    taskQueue: queue,
    workflowBundle: await sharedBundle(),
  });
  const running = worker.run();
  return {
    worker,
    stop: async () => {
      worker.shutdown();
      await running;
    },
  };
}

const touchJob = (name: string, file: string): JobRunInput => ({ name, businessDate: '2026-12-01', job: { command: ['touch', file] } });

async function failureOf(client: Client, workflowId: string): Promise<ApplicationFailure> {
  const error = await client.workflow
    .getHandle(workflowId)
    .result()
    .then(
      () => assert.fail(`${workflowId} should have been refused`),
      (caught: unknown) => caught,
    );
  assert.ok(error instanceof WorkflowFailedError, String(error));
  assert.ok(error.cause instanceof ApplicationFailure, String(error.cause));
  return error.cause;
}

async function activitiesScheduled(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes).length;
}

describe('a worker runs only what a key holder asked for', () => {
  it('refuses a run started without the key, and one under another key: UntrustedPayload, nothing spawned', async () => {
    const { stop } = await workerWith(codec(A), 'trust');
    try {
      const plain = new Client({ connection });
      const stranger = jobnetClient(connection, 'default', codec(newKeyEntry('A')));
      const cases = [
        { client: plain, id: 'keyless@2026-12-01', file: path.join(work.dir, 'keyless-ran'), why: /workflow input refused: payload is not encrypted/ },
        {
          client: stranger,
          id: 'wrong-key@2026-12-01',
          file: path.join(work.dir, 'wrong-key-ran'),
          why: /workflow input refused: payload under key id "A" failed authentication/,
        },
      ];
      for (const { client, id, file } of cases) {
        await client.workflow.start('jobWorkflow', { taskQueue: 'trust', workflowId: id, args: [jobRun(touchJob(id.split('@')[0]!, file))] });
      }
      for (const { id, file, why } of cases) {
        const failure = await failureOf(clientA(), id);
        assert.equal(failure.type, 'UntrustedPayload');
        assert.equal(failure.nonRetryable, true);
        assert.match(failure.message, why);
        assert.equal(await activitiesScheduled(clientA(), id), 0, 'no activity was even scheduled');
        assert.equal(existsSync(file), false, 'no process ran');
      }
      // The same job from a key holder runs: the refusals were about the key, nothing else.
      const trusted = path.join(work.dir, 'trusted-ran');
      await clientA().workflow.execute('jobWorkflow', { taskQueue: 'trust', workflowId: 'trusted@2026-12-01', args: [jobRun(touchJob('trusted', trusted))] });
      assert.equal(existsSync(trusted), true);
    } finally {
      await stop();
    }
  });

  it('rotation: a run written under A is finished by a worker restarted with B,A; a worker with only B refuses one, naming the key', async () => {
    const mark = path.join(work.dir, 'rotation-mark');
    // Fails once (leaving the mark), succeeds on its single delayed retry 3 s later.
    const input: JobRunInput = {
      name: 'rotating',
      businessDate: '2026-12-01',
      job: {
        command: ['sh', '-c', `if [ -e '${mark}' ]; then echo second; else touch '${mark}'; exit 1; fi`],
        retry: { attempts: 1 },
        delayedRetry: { after: '3s' },
      },
    };
    const first = await workerWith(codec(A), 'rotation');
    const handle = await clientA().workflow.start('jobWorkflow', { taskQueue: 'rotation', workflowId: 'rotating@2026-12-01', args: [jobRun(input)] });
    await waitFor(
      async () => (await handle.query(jobStateQuery).catch(() => undefined))?.status === 'waiting-retry',
      30_000,
      'the delayed retry to be scheduled under A',
    );
    await first.stop();

    const restarted = await workerWith(codec(`${B},${A}`), 'rotation');
    try {
      const result = (await clientBA().workflow.getHandle('rotating@2026-12-01').result()) as JobResult;
      assert.equal(result.status, 'success');
      assert.equal(result.delayedRetry, true);
      const history = await clientBA().workflow.getHandle('rotating@2026-12-01').fetchHistory();
      const keyIds = (history.events ?? []).flatMap((event) => {
        const payload: Payload | undefined = event.activityTaskScheduledEventAttributes?.input?.payloads?.[0] ?? undefined;
        return payload ? [Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString()] : [];
      });
      // (The run-log line is a local activity: recorded as a marker, not a scheduled activity.)
      assert.deepEqual(keyIds, ['A', 'B'], 'first attempt under A; the delayed retry under B');
    } finally {
      await restarted.stop();
    }

    const onlyB = await workerWith(codec(B), 'only-b');
    try {
      const file = path.join(work.dir, 'only-b-ran');
      await clientA().workflow.start('jobWorkflow', { taskQueue: 'only-b', workflowId: 'old-key@2026-12-01', args: [jobRun(touchJob('old-key', file))] });
      const failure = await failureOf(clientBA(), 'old-key@2026-12-01');
      assert.equal(failure.type, 'UntrustedPayload');
      assert.match(failure.message, /payload encrypted under key id "A", which is not among this process's keys \(B;/);
      assert.equal(existsSync(file), false);
    } finally {
      await onlyB.stop();
    }
  });

  it('replays an encrypted history with the keys, and fails to without them', async () => {
    const history = await clientBA().workflow.getHandle('rotating@2026-12-01').fetchHistory();
    const workflowBundle = await sharedBundle();
    const replay = (keys: string) =>
      Worker.runReplayHistory({ ...jobnetWorkerOptions({ codec: codec(keys) }), workflowBundle }, history, 'rotating@2026-12-01');
    await replay(`${B},${A}`);
    await assert.rejects(replay(B), /Nondeterminism|DeterminismViolation|UntrustedPayload/i);
  });
});

describe('Schedules across a key rotation', () => {
  it('sync writes them again under the new key, keeping an operator pause; then the old key can go', async () => {
    const catalogFile = path.join(work.dir, 'rotation.yaml');
    writeFileSync(catalogFile, 'version: 1\njobs:\n  nightly:\n    command: ["true"]\n    schedule: { daily: "02:00" }\n');
    const asKeys = async (keys: string, ...argv: string[]) => {
      const saved = process.env.JOBNET_CODEC_KEYS;
      process.env.JOBNET_CODEC_KEYS = keys;
      try {
        return await jobnet('-c', catalogFile, '--address', server.address, ...argv);
      } finally {
        process.env.JOBNET_CODEC_KEYS = saved;
      }
    };
    const ok = (run: { code: number; stderr: string }) => assert.equal(run.code, 0, run.stderr);
    ok(await asKeys(A, 'sync'));
    ok(await asKeys(A, 'pause', 'nightly', '--note', 'maintenance'));
    const rotated = await asKeys(`${B},${A}`, 'sync');
    ok(rotated);
    assert.match(rotated.stdout, /~ jobnet:nightly \(re-encrypted under the current payload key\)/);
    assert.match(rotated.stdout, /~ jobnet:_refresh \(re-encrypted/);

    const description = await jobnetClient(connection, 'default', codec(B)).schedule.getHandle('jobnet:nightly').describe();
    assert.equal(keyIdOf(description.raw.memo?.fields?.owner), 'B');
    assert.equal(keyIdOf(description.raw.schedule?.action?.startWorkflow?.input?.payloads?.[0]), 'B');
    assert.deepEqual([description.state.paused, description.state.note], [true, 'maintenance'], "the operator's pause survives");
    const withoutA = await asKeys(B, 'sync');
    ok(withoutA);
    assert.match(withoutA.stdout, /no changes \(2 schedules up to date\)/);
  });
});
