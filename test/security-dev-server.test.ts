/**
 * Secrets and PII end to end on the dev server: a job whose argv, env, stdout and stderr carry
 * a secret and PII leaves neither readable at the server (its SQLite files, `temporal workflow
 * show` without the codec), nor the secret in the run log or a notification.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection, type Client } from '@temporalio/client';
import { jobnetClient } from '../src/temporal/client';
import { readPayload } from '../src/codec/read-payload';
import { temporalCliPath } from '../scripts/servers';
import { startDevEnv, type DevEnv } from './helpers/dev-env';
import { jobnet } from './helpers/cli';
import { HttpSink } from './helpers/sinks';
import { waitFor } from './helpers/fs';

const SECRET = `PII-${randomBytes(6).toString('hex')}`;
const LITERAL = `LITERAL-${randomBytes(6).toString('hex')}`;
const DATE = '2026-12-01';

let env: DevEnv;
let connection: Connection;
let client: Client;
let hook: HttpSink;

before(async () => {
  hook = new HttpSink();
  await hook.start();
  // The worker of this process resolves ${SECURITY_SECRET} and the channel URL when it needs them.
  process.env.SECURITY_SECRET = SECRET;
  process.env.SECURITY_HOOK_URL = hook.url('/hook');
  env = await startDevEnv('security');
  connection = await Connection.connect({ address: env.server.address });
  client = jobnetClient(connection);
});
after(async () => {
  await connection?.close();
  await env?.stop();
  await hook?.stop();
  delete process.env.SECURITY_SECRET;
  delete process.env.SECURITY_HOOK_URL;
});

const count = (haystack: string | Buffer, needle: string): number => {
  const text = Buffer.isBuffer(haystack) ? haystack.toString('latin1') : haystack;
  return text.split(needle).length - 1;
};

/** Every file of the dev server's database (the file, its -wal and -shm), as bytes. */
function databaseBytes(dbFile: string): Buffer {
  const dir = path.dirname(dbFile);
  const files = readdirSync(dir).filter((name) => name.startsWith(path.basename(dbFile)));
  assert.ok(files.includes(path.basename(dbFile)), `no database at ${dbFile}`);
  return Buffer.concat(files.map((name) => readFileSync(path.join(dir, name))));
}

describe('secrets and PII never reach the server in plaintext', () => {
  it('argv, env, stdout, stderr: encrypted at the server, masked in the run log and the notification; the CLI reads the run with the key', async () => {
    const catalogFile = path.join(env.work.dir, 'jobnet.yaml');
    writeFileSync(
      catalogFile,
      [
        'version: 1',
        'notify:',
        '  channels:',
        '    hook: { type: webhook, url: "${SECURITY_HOOK_URL}" }',
        '  routes:',
        '    - { severity: [critical, warning, info], channels: [hook] }',
        'jobs:',
        '  leaky:',
        `    command: [sh, -c, 'echo "connect $1 as $LEAK for $2"; echo "login failed for $1 ($2)" >&2; exit 3', sh, "\${SECURITY_SECRET}", "${LITERAL}"]`,
        '    env: { LEAK: "${SECURITY_SECRET}" }',
        '    retry: { attempts: 1 }',
        '',
      ].join('\n'),
    );
    const run = await jobnet('-c', catalogFile, '--address', env.server.address, 'run', 'leaky', '--date', DATE, '--wait');
    assert.equal(run.code, 1, `the job fails (exit 3): ${run.stderr}`);
    const workflowId = `leaky@${DATE}`;

    // With the key, the CLI reads the run: its error, masked.
    const status = await jobnet('--address', env.server.address, 'status', workflowId);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /error/);
    assert.match(status.stdout, /login failed for \*\*\* \(LITERAL-/, 'the error is the last stderr line, the secret masked');
    assert.equal(count(status.stdout, SECRET), 0);

    // Even decoded, the history shows the reference, never the value.
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const startInput = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    assert.ok(startInput);
    const input = JSON.stringify(await readPayload(client, startInput));
    assert.match(input, /"\$\{SECURITY_SECRET\}"/);
    assert.match(input, new RegExp(LITERAL));
    assert.equal(count(input, SECRET), 0);

    // The run log on this host: the line is there, the secret masked.
    const runLog = readFileSync(path.join(env.work.dir, 'logs', `batch_${DATE.replaceAll('-', '')}.jsonl`), 'utf8');
    assert.equal(count(runLog, workflowId), 1);
    assert.equal(count(runLog, SECRET), 0);
    assert.match(runLog, /connect \*\*\* as \*\*\* for LITERAL-/);

    // The notification: the failure arrived, the secret masked.
    const failed = await waitFor(
      () => hook.at('/hook').find((delivery) => JSON.stringify(delivery.body).includes('"failed"')),
      20_000,
      'the failed event at the webhook',
    );
    assert.match(JSON.stringify(failed.body), /login failed for \*\*\*/);
    assert.equal(count(JSON.stringify(hook.deliveries), SECRET), 0);

    // `temporal workflow show` without the codec: ciphertext only.
    const shown = execFileSync(temporalCliPath(), ['workflow', 'show', '--address', env.server.address, '--workflow-id', workflowId, '--output', 'json'], {
      encoding: 'utf8',
    });
    assert.ok(shown.includes(Buffer.from('binary/encrypted').toString('base64')), 'payloads marked encrypted (metadata is base64 in JSON)');
    assert.equal(count(shown, SECRET), 0, 'the secret in workflow show');
    assert.equal(count(shown, LITERAL), 0, 'the literal argv in workflow show');
    assert.equal(count(shown, 'login failed'), 0, 'the failure message in workflow show');

    // The server's own files, after a clean stop (everything written out).
    await env.server.stop();
    const bytes = databaseBytes(path.join(env.work.dir, 'temporal.db'));
    assert.ok(count(bytes, workflowId) > 0, 'the scan reads the server data (workflow ids are plaintext)');
    assert.equal(count(bytes, SECRET), 0, 'the secret in the SQLite files');
    assert.equal(count(bytes, LITERAL), 0, 'the literal argv in the SQLite files');
    assert.equal(count(bytes, 'login failed'), 0, 'stderr in the SQLite files');
    assert.equal(count(bytes, 'connect '), 0, 'stdout in the SQLite files');
  });
});
