/**
 * The codec server with the real Temporal Web UI in Chromium: with it the UI shows a run's
 * decoded input; without it, only ciphertext. Also the protocol itself over HTTP: CORS for the
 * UI's origin only, the optional token (header or the cookie /login sets).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { JobRunInput } from '../src/catalog/schema/job-schema';
import { jobnetClient } from '../src/temporal/client';
import { AesGcmCodec } from '../src/codec/aes-gcm-codec';
import { codecSettings, parseKeyList } from '../src/codec/keys';
import { createCodecServer } from '../src/codec/server';
import { jobnetWorkerOptions } from '../src/worker-setup';
import { freePort, startDevServer, type DevServer } from '../scripts/servers';
import { tempDir } from './helpers/fs';
import { quietRuntime, sharedBundle } from './helpers/time-skipping';
import { CHROMIUM, CHROMIUM_ARGS } from './helpers/chromium';
import { jobRun } from './helpers/runs';

const MARKER = `WEBUI-${randomBytes(5).toString('hex')}`;
const ARTIFACTS = path.join(os.tmpdir(), 'jobnet-test-output');

let work: ReturnType<typeof tempDir>;
let server: DevServer;
let codecServer: Server | undefined;
let codecPort: number;
let uiPort: number;
let browser: Browser;
let runPath: string;
const keys = () => {
  const settings = codecSettings();
  assert.ok(settings.mode === 'on');
  return settings.keyring;
};

function startCodecServer(options: { token?: string } = {}): Promise<Server> {
  const created = createCodecServer({ codec: new AesGcmCodec(keys(), 'client'), allowedOrigins: [`http://127.0.0.1:${uiPort}`], ...options });
  return new Promise((resolve) => created.listen(codecPort, '127.0.0.1', () => resolve(created)));
}

before(async () => {
  quietRuntime();
  work = tempDir('codec-web-ui');
  process.env.JOBNET_LOG_DIR = path.join(work.dir, 'logs');
  [codecPort, uiPort] = [await freePort(), await freePort()];
  codecServer = await startCodecServer();
  server = await startDevServer({
    dbFile: path.join(work.dir, 'temporal.db'),
    port: await freePort(),
    uiPort,
    uiCodecEndpoint: `http://127.0.0.1:${codecPort}`,
    stdio: 'ignore',
  });
  const native = await NativeConnection.connect({ address: server.address });
  const worker = await Worker.create({ ...jobnetWorkerOptions(), connection: native, taskQueue: 'web-ui', workflowBundle: await sharedBundle() });
  const connection = await Connection.connect({ address: server.address });
  const input: JobRunInput = { name: 'web-ui', businessDate: '2026-12-01', job: { command: ['echo', MARKER] } };
  const handle = await jobnetClient(connection).workflow.start('jobWorkflow', { taskQueue: 'web-ui', workflowId: 'web-ui@2026-12-01', args: [jobRun(input)] });
  await worker.runUntil(handle.result());
  await connection.close();
  await native.close();
  runPath = `/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}/${handle.firstExecutionRunId}/history`;
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => (codecServer ? codecServer.close(resolve) : resolve(undefined)));
  await server?.kill();
  work?.cleanup();
});

/** The run's page in the Web UI, given time to fetch and decode its history. */
async function openRun(page: Page, waitForText?: string): Promise<string> {
  await page.goto(`http://127.0.0.1:${uiPort}${runPath}`, { waitUntil: 'networkidle' });
  if (waitForText) await page.getByText(waitForText).first().waitFor({ timeout: 30_000 });
  else await page.getByText('web-ui@2026-12-01').first().waitFor({ timeout: 30_000 });
  return page.content();
}

describe('the Web UI with the codec server', () => {
  it('shows the decoded input with it, and only ciphertext without it', async () => {
    const page = await browser.newPage();
    const decoded = await openRun(page, MARKER);
    await page.screenshot({ path: path.join(ARTIFACTS, 'codec-web-ui-decoded.png'), fullPage: true });
    assert.ok(decoded.includes(MARKER), 'the input, decoded by the codec server');

    await new Promise((resolve) => codecServer!.close(resolve));
    codecServer = undefined;
    const fresh = await browser.newPage();
    const encoded = await openRun(fresh);
    // The history is there, its payloads are not readable.
    await fresh
      .getByText(/YmluYXJ5L2VuY3J5cHRlZA|binary\/encrypted/)
      .first()
      .waitFor({ timeout: 30_000 });
    await fresh.screenshot({ path: path.join(ARTIFACTS, 'codec-web-ui-encoded.png'), fullPage: true });
    assert.ok(!encoded.includes(MARKER) && !(await fresh.content()).includes(MARKER), 'no plaintext without the codec server');
    codecServer = await startCodecServer();
  });
});

describe('the codec server protocol', () => {
  const payloads = (values: unknown[]) => ({
    payloads: values
      .map((value) => defaultPayloadConverter.toPayload(value))
      .map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
        data: Buffer.from(p.data ?? []).toString('base64'),
      })),
  });
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('encodes and decodes; CORS answers the Web UI only', async () => {
    const base = `http://127.0.0.1:${codecPort}`;
    const encoded = await post(`${base}/encode`, payloads([{ secret: MARKER }]));
    assert.equal(encoded.status, 200);
    const encodedBody = (await encoded.json()) as { payloads: Array<{ data: string }> };
    assert.ok(!Buffer.from(encodedBody.payloads[0]!.data, 'base64').toString('latin1').includes(MARKER));
    const decoded = await post(`${base}/default/decode`, encodedBody, { origin: `http://127.0.0.1:${uiPort}`, 'x-namespace': 'default' });
    assert.equal(decoded.status, 200);
    assert.equal(decoded.headers.get('access-control-allow-origin'), `http://127.0.0.1:${uiPort}`);
    assert.match(Buffer.from(((await decoded.json()) as { payloads: Array<{ data: string }> }).payloads[0]!.data, 'base64').toString(), new RegExp(MARKER));
    const preflight = await fetch(`${base}/decode`, {
      method: 'OPTIONS',
      headers: { origin: `http://127.0.0.1:${uiPort}`, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    const foreign = await post(`${base}/decode`, encodedBody, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    assert.equal((await post(`${base}/decode`, { nope: true })).status, 400);
  });

  it('with a token: refused without it, accepted as a bearer header or the cookie /login sets; --decode-only refuses /encode', async () => {
    const port = await freePort();
    const token = randomBytes(16).toString('hex');
    const guarded = createCodecServer({
      codec: new AesGcmCodec(parseKeyList(`k:${randomBytes(32).toString('base64')}`), 'client'),
      allowedOrigins: [],
      token,
      decodeOnly: true,
    });
    await new Promise<void>((resolve) => guarded.listen(port, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${port}`;
      const body = payloads(['x']);
      assert.equal((await post(`${base}/decode`, body)).status, 401);
      assert.equal((await post(`${base}/decode`, body, { authorization: 'Bearer wrong' })).status, 401);
      assert.equal((await post(`${base}/decode`, body, { authorization: `Bearer ${token}` })).status, 200);
      const login = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${token}` });
      assert.equal(login.status, 200);
      const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
      assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
      assert.equal((await post(`${base}/decode`, body, { cookie })).status, 200);
      assert.equal(
        (await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=wrong' })).status,
        401,
      );
      assert.equal((await post(`${base}/encode`, body, { authorization: `Bearer ${token}` })).status, 403);
    } finally {
      await new Promise((resolve) => guarded.close(resolve));
    }
  });
});
