/**
 * The operator's flow in the real Temporal Web UI (the dev server's, in Chromium), with payloads
 * decoded and encoded by jobnet's codec server: seed 001's BATCH-001 fails once and waits for an
 * operator; the operator finds the run by filtering `JobStatus = "waiting-operator"`, reads the
 * board (the run's current details) on its page, sends the Signal `retry` the board names through
 * "Send a Signal", and sees BATCH-001 run again and the board change. A screenshot of each stage
 * is saved under <tmpdir>/jobnet-test-output/operator-web-ui-*.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { jobnetClient } from '../src/temporal/client';
import { AesGcmCodec } from '../src/codec/aes-gcm-codec';
import { codecSettings } from '../src/codec/keys';
import { createCodecServer } from '../src/codec/server';
import { jobnetWorkerOptions, servedQueues } from '../src/worker-setup';
import { freePort, startDevServer, type DevServer } from '../scripts/servers';
import { SEED_001, intervals } from './helpers/catalog-runs';
import { CHROMIUM, CHROMIUM_ARGS } from './helpers/chromium';
import { jobnet } from './helpers/cli';
import { tempDir, waitFor } from './helpers/fs';
import { quietRuntime, sharedBundle } from './helpers/time-skipping';

const ARTIFACTS = path.join(os.tmpdir(), 'jobnet-test-output');
const RUN = 'seed-001@2026-12-01';
/** A job run that ended before the jobnet started: listed, but not by the operator's filter. */
const ENDED_RUN = 'BATCH-000@2026-11-30';
/** The machine is shared and loaded: the UI's pages and the runs get generous time. */
const UI_TIMEOUT = 60_000;
const RUN_TIMEOUT = 120_000;

let work: ReturnType<typeof tempDir>;
let server: DevServer;
let codecServer: Server;
let uiBase: string;
let native: NativeConnection;
let workers: Worker[] = [];
let running: Promise<unknown>;
let browser: Browser;
let page: Page;
let trace: string;
/** POSTs to the codec server's /encode: the Web UI encodes a Signal's input there. */
let encodeCalls = 0;
const saved = { trace: process.env.JOBNET_TRACE, fails: process.env.BATCH_001_FAILS };

const cli = (...argv: string[]) => jobnet('-c', SEED_001, '--address', server.address, ...argv);
// The Web UI scrolls inside its own panes (a full-page screenshot is no larger): a tall viewport shows the whole board.
const screenshot = (stage: string) => page.screenshot({ path: path.join(ARTIFACTS, `operator-web-ui-${stage}.png`) });

before(async () => {
  quietRuntime();
  work = tempDir('operator-web-ui');
  process.env.JOBNET_LOG_DIR = path.join(work.dir, 'logs');
  const [codecPort, uiPort] = [await freePort(), await freePort()];
  uiBase = `http://127.0.0.1:${uiPort}`;
  const settings = codecSettings();
  assert.ok(settings.mode === 'on', 'the test scripts load a payload key (test/helpers/codec-key.cjs)');
  // Not decode-only: "Send a Signal" encodes its input through /encode, as workers only read encrypted payloads.
  codecServer = createCodecServer({ codec: new AesGcmCodec(settings.keyring, 'client'), allowedOrigins: [uiBase] });
  codecServer.on('request', (request) => {
    if (request.method === 'POST' && request.url?.endsWith('/encode')) encodeCalls += 1;
  });
  await new Promise<void>((resolve) => codecServer.listen(codecPort, '127.0.0.1', resolve));
  server = await startDevServer({
    dbFile: path.join(work.dir, 'temporal.db'),
    port: await freePort(),
    uiPort,
    uiCodecEndpoint: `http://127.0.0.1:${codecPort}`,
    stdio: 'ignore',
  });
  native = await NativeConnection.connect({ address: server.address });
  // The default queue and the coordination queue every worker serves (seed 001's lock runs there).
  const workflowBundle = await sharedBundle();
  workers = await Promise.all(
    servedQueues(['default']).map((taskQueue) => Worker.create({ ...jobnetWorkerOptions(), connection: native, taskQueue, workflowBundle })),
  );
  running = Promise.all(workers.map((worker) => worker.run()));
  mkdirSync(ARTIFACTS, { recursive: true });
  // A previous run's screenshots would pass for this run's.
  for (const file of readdirSync(ARTIFACTS).filter((name) => name.startsWith('operator-web-ui-'))) rmSync(path.join(ARTIFACTS, file));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
  page.setDefaultTimeout(UI_TIMEOUT);

  // The catalog's ${JOBNET_TRACE} and ${BATCH_001_FAILS} are resolved when the CLI reads it.
  // The ended job run traces elsewhere, so the jobnet's trace counts only the jobnet's steps.
  process.env.JOBNET_TRACE = path.join(work.dir, 'ended-run.trace');
  const ended = await cli('run', 'BATCH-000', '--date', '2026-11-30');
  assert.equal(ended.code, 0, ended.stderr);
  const client = jobnetClient(await Connection.connect({ address: server.address }));
  try {
    await client.workflow.getHandle(ENDED_RUN).result();
  } finally {
    await client.connection.close();
  }
  trace = path.join(work.dir, 'trace.log');
  process.env.JOBNET_TRACE = trace;
  process.env.BATCH_001_FAILS = '1';
  const started = await cli('run', 'seed-001', '--date', '2026-12-01');
  assert.equal(started.code, 0, started.stderr);
});

after(async () => {
  for (const [key, value] of [
    ['JOBNET_TRACE', saved.trace],
    ['BATCH_001_FAILS', saved.fails],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await browser?.close();
  for (const worker of workers) worker.shutdown();
  await running?.catch(() => undefined);
  await native?.close();
  await new Promise((resolve) => (codecServer ? codecServer.close(resolve) : resolve(undefined)));
  await server?.kill();
  work?.cleanup();
});

/**
 * Opens `url` and reloads it until `probe` finds what it looks for: Visibility, the run and the
 * page's own fetches (the run's state and its current details come from separate calls) all
 * move on their own time.
 */
async function reloadUntil<T>(url: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  for (;;) {
    const found = await waitFor(probe, 10_000, what).catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} at ${url}\n${(await cli('status', RUN)).stdout}`);
    await page.reload({ waitUntil: 'domcontentloaded' });
  }
}

const linkShown = (name: string) => () => page.getByRole('link', { name, exact: true }).first().isVisible();

/** The workflow IDs in the list's rows (a row's first link is its workflow ID). */
async function listedRuns(): Promise<string[]> {
  const rows = page.getByRole('row').filter({ has: page.getByRole('link') });
  return Promise.all((await rows.all()).map((row) => row.getByRole('link').first().innerText()));
}

/**
 * The frame the run's board is rendered in, if it shows all of `texts`: the Web UI renders the
 * Summary and Current Details markdown in iframes of their own.
 */
async function boardShowing(texts: string[]): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    const shown = await Promise.all(
      texts.map((text) =>
        frame
          .getByText(text)
          .first()
          .isVisible()
          .catch(() => false),
      ),
    );
    if (shown.every(Boolean)) return frame;
  }
  return undefined;
}

/** The cells of a step's row on the board, as the browser renders them. */
async function stepRow(board: Frame, step: string): Promise<string[]> {
  const row = board.getByRole('row').filter({ has: board.getByRole('cell', { name: step, exact: true }) });
  return (await row.getByRole('cell').allInnerTexts()).map((text) => text.trim());
}

/** Each stage needs the one before: after a failure the rest fail at once instead of each waiting out its time-out. */
let failedStage: string | undefined;
function stage(name: string, body: () => Promise<void>): void {
  it(name, async () => {
    if (failedStage) throw new Error(`not tried: the stage before failed ("${failedStage}")`);
    try {
      await body();
    } catch (error) {
      failedStage = name;
      await screenshot('failed').catch(() => undefined);
      throw error;
    }
  });
}

describe('the operator flow in the Temporal Web UI (dev server, codec server, Chromium)', () => {
  stage('lists the run waiting for an operator under JobStatus = "waiting-operator", and not the ended job run', async () => {
    // Unfiltered, both runs are there: the filter is what leaves the ended one out.
    await reloadUntil(`${uiBase}/namespaces/default/workflows`, linkShown(ENDED_RUN), UI_TIMEOUT, `${ENDED_RUN} in the list`);
    const query = encodeURIComponent('JobStatus = "waiting-operator"');
    await reloadUntil(`${uiBase}/namespaces/default/workflows?query=${query}`, linkShown(RUN), RUN_TIMEOUT, `${RUN} under the filter`);
    assert.deepEqual(await listedRuns(), [RUN], `only ${RUN}: ${ENDED_RUN} has ended, it waits for no one`);
    await screenshot('1-list');
  });

  stage('opens the run and reads the board in its current details: BATCH-001 waits, and the Signal to send', async () => {
    await page.getByRole('link', { name: RUN, exact: true }).click();
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    await page.getByRole('heading', { name: 'Current Details' }).waitFor();
    const shows = ['BATCH-001 waits for an operator', 'retry with {"job":"BATCH-001"}'];
    const board = await waitFor(() => boardShowing(shows), UI_TIMEOUT, `the run's current details to show ${JSON.stringify(shows)}`);
    assert.deepEqual((await stepRow(board, 'BATCH-001')).slice(1, 3), ['⏸ waiting-operator', '1']);
    assert.deepEqual((await stepRow(board, 'BATCH-002')).slice(1, 3), ['◔ waiting-dependency', '0']);
    await board.getByText(`npx jobnet retry ${RUN} BATCH-001`).waitFor();
    await screenshot('2-board');
  });

  stage('sends the Signal retry {"job":"BATCH-001"} through "Send a Signal", encoded by the codec server', async () => {
    await page.getByRole('button', { name: 'More Actions' }).click();
    // The page has a second, hidden copy of the menu (for narrow screens).
    await page.getByRole('menuitem', { name: 'Send a Signal' }).filter({ visible: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Send a Signal' });
    await dialog.waitFor();
    // The Signal names come from the run itself (its metadata query): retry is offered.
    await dialog.getByTestId('signal-select-button').click();
    await dialog.getByRole('option', { name: 'retry', exact: true }).click();
    // The input is a code editor: typed keys would get auto-closed brackets, inserted text does not.
    await dialog.locator('[role="textbox"][contenteditable="true"]').click();
    await page.keyboard.insertText('{"job":"BATCH-001"}');
    await dialog.getByLabel('json/plain').check();
    await screenshot('3-signal');
    const encodedBefore = encodeCalls;
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await page.getByText('Workflow signaled.').waitFor();
    assert.ok(encodeCalls > encodedBefore, 'the Web UI encoded the input through the codec server');

    // What reached the server is ciphertext (the worker reads no plaintext payload).
    const connection = await Connection.connect({ address: server.address });
    try {
      const { history } = await connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: RUN } });
      const signals = (history?.events ?? []).flatMap((event) =>
        event.workflowExecutionSignaledEventAttributes?.signalName === 'retry' ? [event.workflowExecutionSignaledEventAttributes] : [],
      );
      assert.equal(signals.length, 1, 'one retry Signal');
      const encoding = signals[0]!.input?.payloads?.[0]?.metadata?.encoding;
      assert.equal(Buffer.from(encoding ?? []).toString(), 'binary/encrypted');
    } finally {
      await connection.close();
    }
  });

  stage('shows BATCH-001 run again and succeed, then BATCH-002, and the run complete', async () => {
    // The run page does not refresh current details by itself; the operator reloads.
    const shows = [RUN, '— success', 'retry BATCH-001 (signal)'];
    const completed = async () => (await page.getByText('Completed', { exact: true }).first().isVisible()) && boardShowing(shows);
    const board = await reloadUntil(page.url(), completed, RUN_TIMEOUT, `${RUN} to complete and its current details to show ${JSON.stringify(shows)}`);
    assert.deepEqual((await stepRow(board, 'BATCH-001')).slice(1, 3), ['✔ succeeded', '2'], 'BATCH-001 ran a second time and succeeded');
    assert.deepEqual((await stepRow(board, 'BATCH-002')).slice(1, 3), ['✔ succeeded', '1']);
    assert.equal(await board.getByText('waits for an operator').count(), 0, 'no one is asked to act any more');
    await screenshot('4-after');
    const ran = intervals(trace).map((interval) => interval.job);
    assert.deepEqual(ran, ['BATCH-000', 'BATCH-001', 'BATCH-001', 'BATCH-002'], readFileSync(trace, 'utf8'));
  });
});
