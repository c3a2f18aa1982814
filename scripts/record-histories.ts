/**
 * `npm run histories:record`: records one or more real histories of every workflow type into
 * test/histories/, for test/histories-replay.test.ts to replay against later workflow code
 * (the deploy guard). Run it deliberately — after a change that is meant to alter histories has
 * shipped, or when a workflow type is added — and commit what it writes.
 *
 * It starts a dev server and a worker with jobnet's own worker options and workflow bundle,
 * runs a small workload through the `jobnet` CLI (sync, run, Schedules triggered) plus a
 * fan-out long enough to continue as new; then, on a second dev server that suggests
 * continuing as new early, a lock, a gate and a jobnet that hand over. It saves each run's
 * history as the server holds it: payloads encrypted under the fixed key of
 * test/helpers/histories.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Connection, type Client, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { jobSpecSchema } from '../src/catalog/schema/job-schema';
import { fanoutRunSchema } from '../src/catalog/compile/fanout-input';
import { runCli } from '../src/cli/main';
import { jobnetClient } from '../src/temporal/client';
import { gateStateQuery, gateWorkflowId } from '../src/contracts/gate';
import { lockStateQuery, lockWorkflowId } from '../src/contracts/lock';
import { bundleWorkflows, jobnetWorkerOptions } from '../src/worker-setup';
import {
  HISTORIES_CODEC_KEYS,
  HISTORIES_DIR,
  MANIFEST_FILE,
  historiesCodec,
  historyFileName,
  historyToObject,
  type WorkflowType,
} from '../test/helpers/histories';
import { tempDir, waitFor } from '../test/helpers/fs';
import { freePort, startDevServer } from './servers';

const ROOT = path.join(__dirname, '..');
const QUEUE = 'default';
const DATE = '2026-12-01';
/**
 * Keys of the long fan-out: one key at a time, each its own batch (~6 events), so its first run
 * passes 500 events (the least `continueAsNewAfter`) after ~85 keys and the next run ends it.
 */
const LONG_FANOUT_KEYS = 100;
const WAIT_MS = 120_000;

const say = (line: string) => process.stdout.write(`histories: ${line}\n`);

/**
 * The workload's catalog. `upstream` is waited for (`after`) by a step of `nightly`, so its run
 * announces its success to a gate; a step holding `ledger` makes a lock workflow; `hello`'s
 * Schedule fires a scheduledRunWorkflow, and its `succeeded` event goes to a webhook (a
 * notifyWorkflow); `jobnet sync` creates the refresh Schedule. `holder`, `waiter` and `held`
 * run where continuing as new is suggested early: a lock, a gate, a jobnet waiting for an operator.
 */
const catalogYaml = (sinkUrl: string) => `version: 1
timezone: Asia/Tokyo
notify:
  channels:
    sink: { type: webhook, url: "${sinkUrl}" }
  routes:
    - { severity: [info], events: [succeeded], jobs: [hello], channels: [sink] }
locks:
  ledger: { policy: wait, maxWait: 5m }
defaults:
  timeout: 1m
  retry: { attempts: 1 }
jobs:
  upstream:
    command: ["true"]
  hello:
    command: ["true"]
    schedule: { daily: "02:00" }
  fan-item:
    command: ["true"]
  fan:
    fanout: { items: [a, b, c, d, e], job: fan-item, maxParallel: 2, batchSize: 2 }
  holder:
    command: ["true"]
    locks: [ledger]
  waiter:
    command: ["true"]
    after: [{ job: upstream, maxWait: 5m }]
jobnets:
  held:
    jobs:
      flaky: { command: ["false"], onFailure: wait }
      then:  { command: ["true"], needs: [flaky] }
  nightly:
    jobs:
      extract: { command: ["true"], locks: [ledger] }
      load:    { command: ["true"], needs: [extract], after: [{ job: upstream, maxWait: 5m }] }
      report:  { command: ["true"], needs: [load] }
`;

interface Recorded {
  type: WorkflowType;
  form: string;
  workflowId: string;
  runId?: string;
}

/** A recorded run, fetched from its server: what goes into its file and the manifest. */
interface Fetched {
  file: string;
  workflowType: WorkflowType;
  workflowId: string;
  runId: string;
  status: string;
  events: number;
  history: unknown;
}

interface Environment {
  client: Client;
  /** `jobnet <argv>` on the workload's catalog against this server; throws unless it exits 0. */
  cli: (...argv: string[]) => Promise<void>;
}

async function main(): Promise<void> {
  const started = Date.now();
  // The CLI and the activities' clients take the key from the environment: the fixed one.
  process.env.JOBNET_CODEC_KEYS = HISTORIES_CODEC_KEYS;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const sink = await startSink();
  try {
    say('bundling the workflows');
    const workflowBundle = await bundleWorkflows();
    const fetched = [
      ...(await inEnvironment('the workload', {}, workflowBundle, sink.url, (env) => workload(env, sink))),
      // Temporal's own suggestion to continue as new, made after 8 events instead of ~4,000, so
      // that a lock, a gate and a jobnet waiting for an operator hand over at once: the
      // continue-as-new path of each, and a run that carried a jobnet's state on.
      ...(await inEnvironment('continue-as-new suggested early', { 'limit.historyCount.suggestContinueAsNew': 8 }, workflowBundle, sink.url, continuing)),
    ];
    write(fetched);
    say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s; review and commit test/histories/`);
  } finally {
    await sink.stop();
  }
}

/** A dev server (its own database) and a jobnet worker; `body` runs there; its runs are fetched before the server goes. */
async function inEnvironment(
  what: string,
  dynamicConfig: Record<string, number>,
  workflowBundle: Awaited<ReturnType<typeof bundleWorkflows>>,
  sinkUrl: string,
  body: (env: Environment) => Promise<Recorded[]>,
): Promise<Fetched[]> {
  const work = tempDir('histories');
  process.env.JOBNET_LOG_DIR = path.join(work.dir, 'logs');
  const stops: (() => Promise<unknown>)[] = [];
  try {
    say(`starting a dev server for ${what}`);
    const server = await startDevServer({ dbFile: path.join(work.dir, 'temporal.db'), port: await freePort(), stdio: 'ignore', dynamicConfig });
    stops.unshift(() => server.kill());
    process.env.TEMPORAL_ADDRESS = server.address;
    const workerConnection = await NativeConnection.connect({ address: server.address });
    stops.unshift(() => workerConnection.close());
    const worker = await Worker.create({ ...jobnetWorkerOptions({ codec: historiesCodec() }), connection: workerConnection, taskQueue: QUEUE, workflowBundle });
    const running = worker.run();
    stops.unshift(async () => {
      worker.shutdown();
      await running;
    });
    const connection = await Connection.connect({ address: server.address });
    stops.unshift(() => connection.close());
    const client = jobnetClient(connection, 'default', historiesCodec());
    const catalog = path.join(work.dir, 'jobnet.yaml');
    writeFileSync(catalog, catalogYaml(sinkUrl));
    const cli = async (...argv: string[]) => {
      say(`jobnet ${argv.join(' ')}`);
      let output = '';
      const code = await runCli(['-c', catalog, '--address', server.address, ...argv], {
        out: (text) => (output += `${text}\n`),
        err: (text) => (output += `${text}\n`),
      });
      if (code !== 0) throw new Error(`jobnet ${argv.join(' ')} exited with ${code}:\n${output}`);
    };
    const recorded = await body({ client, cli });
    const fetched: Fetched[] = [];
    for (const run of recorded) fetched.push(await fetchRun(client, run));
    return fetched;
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    work.cleanup();
  }
}

async function workload({ client, cli }: Environment, sink: { received: () => number }): Promise<Recorded[]> {
  const recorded: Recorded[] = [];
  await cli('sync');
  await cli('run', 'upstream', '--date', DATE, '--wait');
  recorded.push({ type: 'jobWorkflow', form: 'announces-success', workflowId: `upstream@${DATE}` });
  await cli('run', 'nightly', '--date', DATE, '--wait');
  recorded.push({ type: 'jobnetWorkflow', form: 'lock-and-after', workflowId: `nightly@${DATE}` });
  await cli('run', 'fan', '--date', DATE, '--wait');
  recorded.push({ type: 'fanoutWorkflow', form: 'partitions', workflowId: `fan@${DATE}` });

  say(`a fan-out of ${LONG_FANOUT_KEYS} keys that continues as new`);
  recorded.push(...(await longFanout(client)));

  for (const [schedule, type, form] of [
    ['jobnet:hello', 'scheduledRunWorkflow', 'job'],
    ['jobnet:_refresh', 'refreshSchedulesWorkflow', 'sync'],
  ] as const) {
    say(`triggering the Schedule ${schedule}`);
    const fired = await fire(client, schedule, type);
    recorded.push({ type, form, workflowId: fired.workflowId, runId: fired.runId });
    if (type === 'scheduledRunWorkflow') {
      const result = fired.result as { outcome: string; workflowId: string };
      recorded.push({ type: 'jobWorkflow', form: 'scheduled-notifies', workflowId: result.workflowId });
      say(`waiting for ${result.workflowId}'s succeeded event at the webhook`);
      await waitFor(() => sink.received() > 0, WAIT_MS, 'the notification to arrive');
      const notify = await runMatching(client, `WorkflowType = "notifyWorkflow" AND ExecutionStatus = "Completed"`);
      recorded.push({ type: 'notifyWorkflow', form: 'webhook', workflowId: notify.workflowId, runId: notify.runId });
    }
  }

  // Lock and gate runs live on (a lock until idle for 10 minutes, a gate 8 days): saved while
  // they wait, once their work is done.
  say('waiting for the lock to be free and the gate to have told its waiter');
  await waitFor(
    async () => {
      const state = await client.workflow.getHandle(lockWorkflowId('ledger')).query(lockStateQuery);
      return state.holder === null && state.queue.length === 0;
    },
    WAIT_MS,
    'lock:ledger to be free',
  );
  recorded.push({ type: 'lockWorkflow', form: 'granted-released', workflowId: lockWorkflowId('ledger') });
  await waitFor(
    async () => {
      const state = await client.workflow.getHandle(gateWorkflowId('upstream', DATE)).query(gateStateQuery);
      return state.succeeded !== null && state.waiting.length === 0;
    },
    WAIT_MS,
    'the gate of upstream to have its success',
  );
  recorded.push({ type: 'gateWorkflow', form: 'success-told', workflowId: gateWorkflowId('upstream', DATE) });
  return recorded;
}

/**
 * On a server that suggests continuing as new after 8 events: a lock that hands over while
 * granted, a gate that hands over after telling its waiter, and a jobnet whose failed step
 * waits for an operator — it hands over the wait, and its next run takes the operator's skip.
 */
async function continuing({ client, cli }: Environment): Promise<Recorded[]> {
  await cli('run', 'upstream', '--date', DATE, '--wait');
  await cli('run', 'holder', '--date', DATE, '--wait');
  await cli('run', 'waiter', '--date', DATE, '--wait');
  const lock = await runMatching(client, `WorkflowId = "${lockWorkflowId('ledger')}" AND ExecutionStatus = "ContinuedAsNew"`);
  const gate = await runMatching(client, `WorkflowId = "${gateWorkflowId('upstream', DATE)}" AND ExecutionStatus = "ContinuedAsNew"`);

  const jobnetId = `held@${DATE}`;
  await cli('run', 'held', '--date', DATE);
  const waiting = await runMatching(client, `WorkflowId = "${jobnetId}" AND ExecutionStatus = "ContinuedAsNew"`);
  await cli('skip', jobnetId, 'flaky');
  const result = (await client.workflow.getHandle(jobnetId).result()) as { status: string };
  if (result.status !== 'success') throw new Error(`${jobnetId} ended ${result.status} after the skip`);
  const last = await runMatching(client, `WorkflowId = "${jobnetId}" AND ExecutionStatus = "Completed"`);
  return [
    { type: 'lockWorkflow', form: 'continues-as-new', ...lock },
    { type: 'gateWorkflow', form: 'continues-as-new', ...gate },
    { type: 'jobnetWorkflow', form: 'operator-wait-continues-as-new', ...waiting },
    { type: 'jobnetWorkflow', form: 'carried-over-operator-skip', ...last },
  ];
}

/** A fan-out started as the tests start one, with the least `continueAsNewAfter`: its first run continues as new, the next one ends it. */
async function longFanout(client: Client): Promise<Recorded[]> {
  const workflowId = `fan-long@${DATE}`;
  const input = fanoutRunSchema.parse({
    name: 'fan-long',
    businessDate: DATE,
    source: { kind: 'items', items: Array.from({ length: LONG_FANOUT_KEYS }, (_, i) => `k${String(i + 1).padStart(3, '0')}`) },
    item: { name: 'fan-item', job: jobSpecSchema.parse({ command: ['true'], timeout: '1m', retry: { attempts: 1 } }) },
    maxParallel: 1,
    batchSize: 1,
    continueAsNewAfter: 500,
  });
  const handle = await client.workflow.start('fanoutWorkflow', { taskQueue: QUEUE, workflowId, args: [input] });
  await client.workflow.getHandle(workflowId).result();
  // Visibility lags a little behind the runs: wait until it lists the ended chain.
  let runs: { runId: string; status: string }[] = [];
  const chain = () => ({ first: runs.find((run) => run.runId === handle.firstExecutionRunId), last: runs.find((run) => run.status === 'COMPLETED') });
  await waitFor(
    async () => {
      runs = [];
      for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs.push({ runId: run.runId, status: run.status.name });
      return chain().last !== undefined && chain().first?.status !== 'RUNNING';
    },
    WAIT_MS,
    `${workflowId}'s runs to be listed as ended`,
  ).catch(() => undefined);
  const { first, last } = chain();
  if (first?.status !== 'CONTINUED_AS_NEW' || !last) throw new Error(`${workflowId} did not continue as new: ${JSON.stringify(runs)}`);
  return [
    { type: 'fanoutWorkflow', form: 'continues-as-new', workflowId, runId: first.runId },
    { type: 'fanoutWorkflow', form: 'carried-over', workflowId, runId: last.runId },
  ];
}

/** Triggers a Schedule and waits for the run its fire started (the first of `type`) to end. */
async function fire(client: Client, scheduleId: string, type: WorkflowType): Promise<{ workflowId: string; runId: string; result: unknown }> {
  await client.schedule.getHandle(scheduleId).trigger();
  const { workflowId, runId } = await waitFor(
    async () => {
      for await (const run of client.workflow.list({ query: `WorkflowType = "${type}"` })) return { workflowId: run.workflowId, runId: run.runId };
      return undefined;
    },
    WAIT_MS,
    `${scheduleId}'s fire to start a ${type}`,
  );
  return { workflowId, runId, result: await client.workflow.getHandle(workflowId, runId).result() };
}

/** The first run the visibility query finds (waiting until it finds one). */
async function runMatching(client: Client, query: string): Promise<{ workflowId: string; runId: string }> {
  return waitFor(
    async () => {
      for await (const run of client.workflow.list({ query })) return { workflowId: run.workflowId, runId: run.runId };
      return undefined;
    },
    WAIT_MS,
    `a run matching ${query}`,
  );
}

/** A run's history once it has nothing left to do right now (see settledHistory). */
async function fetchRun(client: Client, run: Recorded): Promise<Fetched> {
  const handle = client.workflow.getHandle(run.workflowId, run.runId);
  const history = await settledHistory(handle);
  const description = await handle.describe();
  const file = historyFileName(run.type, run.form);
  const events = history.events?.length ?? 0;
  say(`fetched ${run.workflowId}: ${run.type}, ${description.status.name}, ${events} events`);
  return {
    file,
    workflowType: run.type,
    workflowId: run.workflowId,
    runId: description.runId,
    status: description.status.name,
    events,
    history: historyToObject(history),
  };
}

/** Replaces the last recording's files by these, with the manifest. */
function write(fetched: Fetched[]): void {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  // Only the last recording's own files go: histories kept by hand under other names (an older
  // shape whose runs may still be in flight) stay, and go on being replayed.
  for (const file of previousRecording()) rmSync(path.join(HISTORIES_DIR, file), { force: true });
  for (const { history, ...entry } of fetched) {
    const { file, ...fields } = entry;
    writeFileSync(
      path.join(HISTORIES_DIR, file),
      `${JSON.stringify({ workflowType: fields.workflowType, workflowId: fields.workflowId, runId: fields.runId, status: fields.status, history }, null, 1)}\n`,
    );
    say(`saved test/histories/${file}`);
  }
  const manifest = {
    recordedAt: new Date().toISOString(),
    sdkVersion: (JSON.parse(readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as { version: string }).version,
    gitCommit: gitCommit(),
    codecKeyId: HISTORIES_CODEC_KEYS.split(':')[0],
    recordedBy: 'npm run histories:record (scripts/record-histories.ts)',
    histories: fetched.map(({ history: _history, ...entry }) => entry),
  };
  writeFileSync(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
}

function previousRecording(): string[] {
  if (!existsSync(MANIFEST_FILE)) return [];
  const manifest = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as { histories?: { file: string }[] };
  return (manifest.histories ?? []).map((entry) => entry.file);
}

async function settledHistory(handle: WorkflowHandle) {
  let previous = -1;
  return waitFor(
    async () => {
      const history = await handle.fetchHistory();
      const events = history.events ?? [];
      const lastTask = [...events]
        .reverse()
        .find((event) => event.workflowTaskScheduledEventAttributes || event.workflowTaskStartedEventAttributes || event.workflowTaskCompletedEventAttributes);
      const settled = events.length === previous && lastTask?.workflowTaskCompletedEventAttributes != null;
      previous = events.length;
      if (settled) return history;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return undefined;
    },
    WAIT_MS,
    `${handle.workflowId}'s history to settle`,
  );
}

/** The commit the histories were recorded at, marked when the workflow code differed from it. */
function gitCommit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  const commit = git('rev-parse', 'HEAD');
  return git('status', '--porcelain', '--', 'src') === '' ? commit : `${commit} (with uncommitted changes in src/)`;
}

/** A webhook receiver on loopback that accepts every notification. */
async function startSink(): Promise<{ url: string; received: () => number; stop: () => Promise<void> }> {
  let received = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received: () => received, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

main().catch((error: unknown) => {
  process.stderr.write(`histories: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
