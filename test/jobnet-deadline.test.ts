/**
 * `jobnets.<n>.deadline` (DESIGN.md §5.6) on the Java time-skipping test server, from the
 * catalog text to a real webhook on loopback, asserted on workflow time: a run still going at
 * its deadline raises one critical `sla_warning` and records it in its state and result, and
 * goes on; a run over before its deadline raises nothing.
 *
 * The step spends its 40 minutes where the test server's clock runs: its first attempt fails at
 * once and its retry policy waits 40 minutes before the second, which succeeds (the server
 * freezes its clock while an activity runs; see alerts-time-skipping.test.ts). Each test has a
 * fresh test server and waits for its notifications before it stops (a notify child outliving
 * its run makes the Java test server stop skipping time for later runs).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { parseCatalog } from '../src/catalog/load/load';
import { jobnetRunInput } from '../src/catalog/compile/jobnet-input';
import { jobnetEventSchema, type JobnetEvent } from '../src/events/event-schema';
import { jobnetStateQuery, type JobnetResult } from '../src/workflows/jobnet-definitions';
import { jobnetWorkerOptions } from '../src/worker-setup';
import { jobnetWorkflow } from '../src/workflows';
import { createTestWorker, createTimeSkippingEnv, sharedBundle } from './helpers/time-skipping';
import { tempDir } from './helpers/fs';
import { HttpSink } from './helpers/sinks';

const TASK_QUEUE = 'jobnet-deadline';
const DATE = '2026-12-01';
let work: ReturnType<typeof tempDir>;
let hook: HttpSink;
let runs = 0;

before(async () => {
  work = tempDir('jobnet-deadline');
  process.env.JOBNET_LOG_DIR = path.join(work.dir, 'logs');
  hook = new HttpSink();
  await hook.start();
});
after(async () => {
  await hook?.stop();
  work?.cleanup();
});

/** A jobnet with a 30-minute deadline whose one step takes `stepMinutes` of workflow time (0: ends at once). */
function catalog(name: string, stepMinutes: number): string {
  const calls = path.join(work.dir, `${name}.calls`);
  const command =
    stepMinutes === 0
      ? `["true"]`
      : `[sh, -c, 'n=$(cat "${calls}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${calls}"; [ $n -ge 2 ] || { echo "source not ready" >&2; exit 1; }']`;
  return `
version: 1
notify:
  channels:
    hook: { type: webhook, url: "${hook.url('/events')}" }
  routes:
    - { severity: [critical, warning], channels: [hook] }
jobs:
  load: { command: ${command}, retry: { attempts: 2, interval: ${Math.max(1, stepMinutes)}m } }
jobnets:
  ${name}:
    deadline: 30m
    jobs:
      load: { use: load }
`;
}

const eventsOf = (job: string): JobnetEvent[] =>
  hook
    .at('/events')
    .map((delivery) => jobnetEventSchema.parse((delivery.body as { event: unknown }).event))
    .filter((event) => event.job === job);

/** Runs the catalog's jobnet in a fresh time-skipping server; its result, its notify runs, its durable timers (seconds) and its history. */
async function runJobnet(stepMinutes: number): Promise<{ name: string; result: JobnetResult; notifications: string[]; timers: number[]; replayed: unknown[] }> {
  const name = `deadline-${++runs}`;
  const text = catalog(name, stepMinutes);
  const input = jobnetRunInput(parseCatalog(text, 'jobnet.yaml'), name, DATE, process.env, { routeEvents: true });
  assert.equal(input.deadline, 30 * 60_000, 'the catalog deadline reaches the run');
  const env = await createTimeSkippingEnv();
  try {
    const worker = await createTestWorker(env, TASK_QUEUE);
    return await worker.runUntil(async () => {
      const workflowId = `${name}@${DATE}`;
      const handle = await env.client.workflow.start(jobnetWorkflow, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
      const state = await handle.query(jobnetStateQuery);
      assert.equal(Date.parse(state.deadline!) - Date.parse(state.startTime), 30 * 60_000, 'the state says when the run should be over');
      const result = await handle.result();
      const history = await handle.fetchHistory();
      const notifications = (history.events ?? []).flatMap((event) => {
        const attributes = event.startChildWorkflowExecutionInitiatedEventAttributes;
        return attributes?.workflowType?.name === 'notifyWorkflow' && attributes.workflowId ? [attributes.workflowId] : [];
      });
      const timers = (history.events ?? []).flatMap((event) => {
        const timeout = event.timerStartedEventAttributes?.startToFireTimeout;
        return timeout ? [Number(timeout.seconds ?? 0)] : [];
      });
      // Every notification delivered before the server stops.
      await Promise.all(notifications.map((id) => env.client.workflow.getHandle(id).result()));
      const replayed: unknown[] = [];
      for await (const replay of Worker.runReplayHistories({ ...jobnetWorkerOptions(), workflowBundle: await sharedBundle() }, [{ workflowId, history }]))
        replayed.push(replay.error);
      return { name, result, notifications, timers, replayed };
    });
  } finally {
    await env.teardown();
  }
}

describe('jobnet deadline (time-skipping)', () => {
  it(
    'a run still going at its 30m deadline raises one critical sla_warning at 30:00 of workflow time, records it, and goes on',
    { timeout: 120_000 },
    async () => {
      const { name, result, notifications, timers, replayed } = await runJobnet(40);
      assert.equal(result.status, 'success', 'the run goes on past its deadline');
      const runMs = Date.parse(result.endTime) - Date.parse(result.startTime);
      assert.ok(runMs >= 40 * 60_000, `the run took ${runMs} ms of workflow time`);
      assert.deepEqual(timers, [1800], 'one durable timer, at the deadline');

      const warnings = eventsOf(name).filter((event) => event.type === 'sla_warning');
      assert.equal(warnings.length, 1, 'exactly one warning delivered');
      assert.equal(warnings[0]!.severity, 'critical');
      const at = Date.parse(warnings[0]!.at) - Date.parse(result.startTime);
      assert.ok(at >= 30 * 60_000 && at < 30 * 60_000 + 5_000, `warned ${at} ms after the start`);
      assert.match(warnings[0]!.message, /deadline .* passed with the run still going: load running/);
      assert.deepEqual(
        notifications.map((id) => id.split(':').slice(-2).join(':')),
        ['sla_warning:1'],
      );
      // The run's own record has it too.
      assert.deepEqual(result.warnings, [warnings[0]!.message.slice(`${name}: `.length)]);
      assert.equal(Date.parse(result.deadline!) - Date.parse(result.startTime), 30 * 60_000);
      assert.deepEqual(replayed, [undefined], 'its history replays');
    },
  );

  it('a run over before its deadline raises nothing and records no warning', { timeout: 120_000 }, async () => {
    const { name, result, notifications } = await runJobnet(0);
    assert.equal(result.status, 'success');
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(notifications, []);
    assert.deepEqual(eventsOf(name), []);
  });
});
