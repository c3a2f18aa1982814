/**
 * A jobnet's alerts on the dev server, from a catalog text to a real webhook on loopback: each
 * failed attempt of a step (its job run's `failed`, with the used job's group and runbook),
 * each operator wait of the step (`waiting_operator`, numbered per wait), and the jobnet's own
 * failure when nobody acted — each delivered once. On the dev server with a short operator
 * wait, not the time-skipping server: with notify children abandoned by a finished jobnet, the
 * Java test server sometimes loses an activity's completion (the webhook got an event twice) or
 * skips past a notification's whole delivery window.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { parseCatalog } from '../src/catalog/load/load';
import { jobnetRunInput } from '../src/catalog/compile/jobnet-input';
import { jobnetEventSchema, type JobnetEvent } from '../src/events/event-schema';
import { jobnetStateQuery, retryStepUpdate, type JobnetState } from '../src/workflows/jobnet-definitions';
import type { jobnetWorkflow } from '../src/workflows';
import { startDevEnv, type DevEnv } from './helpers/dev-env';
import { HttpSink } from './helpers/sinks';
import { jobnetClient } from '../src/temporal/client';

const TASK_QUEUE = 'alerts-jobnet';
/** How long the jobnet waits for an operator before it fails (24 h in production). */
const OPERATOR_MAX_WAIT = 10_000;
const CATALOG = `
version: 1
notify:
  channels:
    hook: { type: webhook, url: "\${ALERTS_JOBNET_HOOK}" }
  routes:
    - { severity: [critical, warning], channels: [hook] }
jobs:
  BATCH-001:
    command: [sh, -c, 'echo "deadlock detected" >&2; exit 1']
    group: ranking
    runbooks: { CommandFailed: "https://wiki.example/runbooks/ranking" }
jobnets:
  nightly:
    jobs:
      rank: { use: BATCH-001, onFailure: wait }
`;

let dev: DevEnv;
let client: Client;
let hook: HttpSink;

before(async () => {
  hook = new HttpSink();
  await hook.start();
  process.env.ALERTS_JOBNET_HOOK = hook.url('/events');
  dev = await startDevEnv('alerts-jobnet', [TASK_QUEUE]);
  client = jobnetClient(await Connection.connect({ address: dev.server.address }));
});
after(async () => {
  await client?.connection.close();
  await dev?.stop();
  await hook?.stop();
  delete process.env.ALERTS_JOBNET_HOOK;
});

async function waitingAttempts(handle: WorkflowHandle<typeof jobnetWorkflow>, attempts: number): Promise<JobnetState> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await handle.query(jobnetStateQuery);
    const rank = state.steps.rank!;
    if (rank.status === 'waiting-operator' && rank.attempts === attempts) return state;
    if (Date.now() > deadline) throw new Error(`rank never waited after attempt ${attempts}: ${JSON.stringify(rank)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The notify workflows a run started, from its history. */
async function notificationsOf(workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const attributes = event.startChildWorkflowExecutionInitiatedEventAttributes;
    return attributes?.workflowType?.name === 'notifyWorkflow' && attributes.workflowId ? [attributes.workflowId] : [];
  });
}

describe('alerts of a jobnet (time-skipping)', () => {
  it('a step failing twice with onFailure wait, then left alone: its failures, two waits and the jobnet failure arrive once each', async () => {
    const catalog = parseCatalog(CATALOG, 'alerts-jobnet', { env: {} });
    const input = { ...jobnetRunInput(catalog, 'nightly', '2026-12-01', process.env, { routeEvents: true }), operatorMaxWait: OPERATOR_MAX_WAIT };
    const workflowId = 'nightly@2026-12-01';
    const handle = await client.workflow.start<typeof jobnetWorkflow>('jobnetWorkflow', { taskQueue: TASK_QUEUE, workflowId, args: [input] });
    await waitingAttempts(handle, 1);
    await handle.executeUpdate(retryStepUpdate, { args: [{ job: 'rank' }] });
    await waitingAttempts(handle, 2);
    // Nobody acts: after operatorMaxWait the jobnet fails.
    const failure = await handle.result().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    // The step runs inline: its notifications are started by the jobnet's own run.
    const ids = await notificationsOf(workflowId);
    await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
    assert.ok(failure instanceof WorkflowFailedError, String(failure));

    const events: JobnetEvent[] = hook.at('/events').map((delivery) => jobnetEventSchema.parse((delivery.body as { event: unknown }).event));
    const summary = events
      .map((event) => `${event.type} ${event.job} ${event.workflowId}${event.details.stepRun ? ` ${String(event.details.stepRun)}` : ''}`)
      .sort();
    assert.deepEqual(summary, [
      `failed nightly ${workflowId}`,
      `failed rank ${workflowId} ${workflowId}/rank`,
      `failed rank ${workflowId} ${workflowId}/rank#2`,
      `waiting_operator rank ${workflowId}`,
      `waiting_operator rank ${workflowId}`,
    ]);
    const stepFailure = events.find((event) => event.type === 'failed' && event.job === 'rank')!;
    assert.equal(stepFailure.jobnet, 'nightly');
    assert.equal(stepFailure.group, 'ranking', 'the used job’s group');
    assert.equal(stepFailure.runbookUrl, 'https://wiki.example/runbooks/ranking');
    const waits = events.filter((event) => event.type === 'waiting_operator');
    assert.deepEqual(
      waits.map((event) => event.severity),
      ['warning', 'warning'],
    );
    assert.deepEqual(waits.map((event) => event.details.attempts).sort(), [1, 2]);
    assert.equal(waits[0]!.group, 'ranking');
    const jobnetFailure = events.find((event) => event.job === 'nightly')!;
    assert.equal(jobnetFailure.severity, 'critical');
    assert.match(jobnetFailure.message, /nobody acted/);
  });
});
