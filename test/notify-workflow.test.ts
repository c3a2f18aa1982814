/**
 * The event pipeline on the Java time-skipping test server, against real sinks on loopback:
 * emitEvent in a workflow → notifyWorkflow (a child that outlives the run) → one
 * deliverNotification activity per routed channel with its own retries. Two minutes of a
 * Slack outage are workflow time, skipped by the server; nothing here waits minutes.
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { EventRoutingInput } from '../src/catalog/schema/event-routing-schema';
import type { NotifyResult } from '../src/notify/notify-input';
import { emitterWorkflow, notifyWorkflow, type EmitterInput } from './workflows/notify-emitter';
import { HttpSink, SmtpSink, sampleEvent } from './helpers/sinks';
import { createTimeSkippingEnv } from './helpers/time-skipping';
import { bundleWorkflows, jobnetWorkerOptions } from '../src/worker-setup';

const TASK_QUEUE = 'notify-test';
let env: TestWorkflowEnvironment;
let workflowBundle: Awaited<ReturnType<typeof bundleWorkflowCode>>;
let slack: HttpSink;
let hooks: HttpSink;
let smtp: SmtpSink;
let counter = 0;

before(async () => {
  slack = new HttpSink();
  hooks = new HttpSink();
  smtp = new SmtpSink();
  [workflowBundle] = await Promise.all([bundleWorkflows(undefined, require.resolve('./workflows/notify-emitter')), slack.start(), hooks.start(), smtp.start()]);
});
after(async () => {
  await Promise.all([slack?.stop(), hooks?.stop(), smtp?.stop()]);
});

/** A worker runs once: each test gets its own, on the bundle built once for the file. */
async function withWorker<T>(fn: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    ...jobnetWorkerOptions(),
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle,
  });
  return worker.runUntil(fn);
}

/** The design's catalog routes, with channels on this test's own sink paths and mailboxes. */
function routing(test: string): EventRoutingInput {
  return {
    channels: {
      'ops-slack': { type: 'slack', webhookUrl: slack.url(`/${test}/slack`) },
      'ops-mail': { type: 'email', to: [`ops-${test}@example.com`], from: 'jobnet@example.com', smtpUrl: smtp.url() },
      pager: { type: 'webhook', url: hooks.url(`/${test}/pager`) },
      'hr-mail': { type: 'email', to: [`hr-${test}@example.com`], from: 'jobnet@example.com', smtpUrl: smtp.url() },
    },
    routes: [
      { severity: ['critical'], channels: ['ops-slack', 'ops-mail', 'pager'] },
      { severity: ['warning'], channels: ['ops-slack'] },
      { severity: ['critical'], groups: ['hr'], channels: ['hr-mail'] },
    ],
    runbooks: { DeadlockError: 'https://wiki.example/runbooks/deadlock' },
    uiBaseUrl: 'https://temporal.example',
  };
}

const draft = (type: EmitterInput['steps'][number]['draft']['type'], job = 'BATCH-001', extra: Partial<EmitterInput['steps'][number]['draft']> = {}) => ({
  type,
  job,
  businessDate: '2026-12-01',
  message: `${job} ${type}`,
  ...extra,
});

async function runEmitter(input: EmitterInput) {
  const workflowId = `emitter-${++counter}@2026-12-01`;
  const handle = await env.client.workflow.start(emitterWorkflow, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
  const results = await handle.result();
  const description = await handle.describe();
  const workflowTimeMs = (description.closeTime?.getTime() ?? NaN) - description.startTime.getTime();
  return { results, workflowId, runId: handle.firstExecutionRunId, workflowTimeMs };
}

const mailsTo = (address: string) => smtp.messages.filter((mail) => mail.to.includes(address));
const keysOf = (deliveries: { headers: Record<string, unknown> }[]) => deliveries.map((d) => String(d.headers['idempotency-key']));

describe('emitEvent and notifyWorkflow (time-skipping, real sinks)', () => {
  /*
   * A fresh test server for each test: once an abandoned child (a notify workflow) completes after
   * its parent has closed — the very case these tests are about — the Java test server stops
   * skipping time, and later tests would wait their minutes in real time.
   */
  beforeEach(async () => {
    env = await createTimeSkippingEnv();
  });
  afterEach(async () => {
    await env?.teardown();
    await slack.setMode('up');
  });

  it('delivers every event to exactly its routed channels, once each', async () => {
    const test = 'routed';
    const { results, workflowId, runId } = await withWorker(async () => {
      const run = await runEmitter({
        routing: routing(test),
        steps: [
          { draft: draft('failed', 'BATCH-001', { errorType: 'DeadlockError', attempt: 3, message: 'deadlock detected' }) },
          { draft: draft('sla_warning') },
          { draft: draft('succeeded') },
          { draft: draft('failed', 'hr-import', { group: 'hr' }) },
        ],
      });
      for (const result of run.results) if (result.status === 'started') await env.client.workflow.getHandle(result.key).result();
      return run;
    });

    assert.deepEqual(
      results.map((r) => [r.event.type, r.status, r.channels]),
      [
        ['failed', 'started', ['ops-slack', 'ops-mail', 'pager']],
        ['sla_warning', 'started', ['ops-slack']],
        ['succeeded', 'not-routed', []],
        ['failed', 'started', ['ops-slack', 'ops-mail', 'pager', 'hr-mail']],
      ],
    );
    const [failed, warning, , hrFailed] = results.map((r) => r.key);
    assert.equal(failed, `notify:${workflowId}:${runId}:BATCH-001:failed:3`);
    assert.deepEqual(keysOf(slack.at(`/${test}/slack`)).sort(), [`${failed}:ops-slack`, `${hrFailed}:ops-slack`, `${warning}:ops-slack`].sort());
    assert.deepEqual(keysOf(hooks.at(`/${test}/pager`)).sort(), [`${failed}:pager`, `${hrFailed}:pager`].sort());
    assert.equal(mailsTo(`ops-${test}@example.com`).length, 2);
    assert.deepEqual(
      mailsTo(`hr-${test}@example.com`).map((m) => m.subject),
      ['[jobnet CRITICAL] hr-import failed (2026-12-01)'],
    );

    // The event as the receivers see it: ids, the workflow-clock time, the links.
    const pagerBody = hooks
      .at(`/${test}/pager`)
      .map((d) => d.body as { event: Record<string, unknown> })
      .find((b) => b.event.job === 'BATCH-001');
    assert.deepEqual(
      { ...pagerBody?.event, at: undefined },
      {
        type: 'failed',
        severity: 'critical',
        job: 'BATCH-001',
        workflowId,
        runId,
        namespace: 'default',
        businessDate: '2026-12-01',
        at: undefined,
        message: 'deadlock detected',
        errorType: 'DeadlockError',
        attempt: 3,
        uiUrl: `https://temporal.example/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}`,
        runbookUrl: 'https://wiki.example/runbooks/deadlock',
        details: {},
      },
    );
  });

  it('with Slack refusing connections for two minutes: the run ends at once, the others are not delayed, Slack gets it once when back', async () => {
    const test = 'outage';
    await slack.setMode('refuse');
    const started = await withWorker(async () => {
      const run = await runEmitter({ routing: routing(test), steps: [{ draft: draft('failed', 'BATCH-001', { attempt: 1 }) }] });
      const [emitted] = run.results;
      assert.equal(emitted?.status, 'started');
      // The emitting run did not wait for any delivery, let alone for Slack.
      assert.ok(run.workflowTimeMs < 5_000, `the emitting run took ${run.workflowTimeMs} ms of workflow time`);

      const notify = env.client.workflow.getHandle<typeof notifyWorkflow>(emitted?.key ?? '');
      const notifyStart = (await notify.describe()).startTime.getTime();
      await env.sleep('2m');
      assert.equal(slack.at(`/${test}/slack`).length, 0, 'nothing reached Slack while it was down');
      assert.equal((await notify.describe()).status.name, 'RUNNING', 'delivery outlives the run that raised the event');
      assert.equal(hooks.at(`/${test}/pager`).length, 1, 'the pager did not wait for Slack');
      assert.equal(mailsTo(`ops-${test}@example.com`).length, 1, 'the e-mail did not wait for Slack');

      await slack.setMode('up');
      const result = await notify.result();
      return {
        result,
        notifyStart,
        history: await notify.fetchHistory(),
        emitterStatus: (await env.client.workflow.getHandle(run.workflowId).describe()).status.name,
      };
    });

    assert.equal(started.emitterStatus, 'COMPLETED');
    const delivered = slack.at(`/${test}/slack`);
    assert.equal(delivered.length, 1, 'delivered once after Slack is back');
    const slackOutcome = started.result.outcomes.find((o) => o.channelName === 'ops-slack');
    assert.equal(slackOutcome?.status, 'delivered');
    assert.ok((slackOutcome?.attempt ?? 0) > 5, `Slack was tried again and again (try ${slackOutcome?.attempt})`);
    assert.equal(delivered[0]?.headers['x-jobnet-delivery-attempt'], String(slackOutcome?.attempt));
    assert.deepEqual(
      started.result.outcomes.filter((o) => o.channelName !== 'ops-slack').map((o) => [o.channelName, o.attempt]),
      [
        ['ops-mail', 1],
        ['pager', 1],
      ],
    );
    // The successful try started after the two minutes of outage (workflow time), within the 1-minute retry cap.
    const slackStarted = (started.history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes?.attempt === slackOutcome?.attempt);
    const startedAt = Number(slackStarted[0]?.eventTime?.seconds ?? 0) * 1000 - started.notifyStart;
    assert.ok(startedAt >= 120_000 && startedAt <= 185_000, `Slack delivered ${startedAt} ms after the event`);
  });

  it('with Slack answering 500 for two minutes: every try is refused, then exactly one delivery', async () => {
    const test = 'http500';
    await slack.setMode({ status: 500 });
    const rejectedBefore = slack.rejected.length;
    const event = sampleEvent({ workflowId: 'BATCH-001@2026-12-02' });
    const key = `notify:${test}`;
    const outcome = await withWorker(async () => {
      const handle = await env.client.workflow.start(notifyWorkflow, {
        taskQueue: TASK_QUEUE,
        workflowId: key,
        args: [{ key, event, channels: [{ name: 'ops-slack', channel: { type: 'slack', webhookUrl: slack.url(`/${test}/slack`) } }] }],
      });
      await env.sleep('2m');
      await slack.setMode('up');
      return handle.result();
    });
    const refused = slack.rejected.slice(rejectedBefore).filter((d) => d.path === `/${test}/slack`);
    // Tries at 0, 1, 3, 7, 15, 31, 63 s (doubling from 1 s) fall inside the two minutes.
    assert.ok(refused.length >= 7, `${refused.length} tries were refused`);
    assert.ok(
      refused.every((d) => d.headers['idempotency-key'] === `${key}:ops-slack`),
      'every try carries the same key',
    );
    assert.equal(slack.at(`/${test}/slack`).length, 1);
    assert.deepEqual(outcome, { key, outcomes: [{ channelName: 'ops-slack', status: 'delivered', attempt: refused.length + 1 }] } satisfies NotifyResult);
  });

  it('does not deliver a duplicate emit again, while its notification runs or after it has finished', async () => {
    const test = 'duplicate';
    const { results } = await withWorker(async () => {
      const run = await runEmitter({
        routing: routing(test),
        steps: [
          { draft: draft('sla_warning') },
          { draft: draft('sla_warning') },
          { draft: draft('sla_warning'), sleepBefore: '10m' },
          { draft: draft('sla_warning'), seq: 2 },
        ],
      });
      for (const result of run.results) if (result.status === 'started') await env.client.workflow.getHandle(result.key).result();
      return run;
    });
    assert.deepEqual(
      results.map((r) => r.status),
      ['started', 'duplicate', 'duplicate', 'started'],
    );
    assert.equal(results[0]?.key, results[2]?.key);
    assert.deepEqual(keysOf(slack.at(`/${test}/slack`)), [`${results[0]?.key}:ops-slack`, `${results[3]?.key}:ops-slack`]);
  });

  it('fails the notification (not the run) when a channel refuses the message for good, after the others got it', async () => {
    const test = 'refused';
    smtp.refusedRecipients.add(`ops-${test}@example.com`);
    const failure = await withWorker(async () => {
      const run = await runEmitter({ routing: routing(test), steps: [{ draft: draft('timeout') }] });
      assert.equal(run.results[0]?.status, 'started');
      try {
        await env.client.workflow.getHandle(run.results[0]?.key ?? '').result();
      } catch (error) {
        return error;
      }
      return undefined;
    });
    assert.ok(failure instanceof WorkflowFailedError && failure.cause instanceof ApplicationFailure);
    assert.equal(failure.cause.type, 'NotificationUndelivered');
    assert.match(failure.cause.message, /^timeout of BATCH-001 \(2026-12-01\) not delivered: ops-mail: channel "ops-mail" could not send over SMTP: .*550/);
    const result = failure.cause.details?.[0] as NotifyResult;
    assert.deepEqual(
      result.outcomes.map((o) => [o.channelName, o.status]),
      [
        ['ops-slack', 'delivered'],
        ['ops-mail', 'failed'],
        ['pager', 'delivered'],
      ],
    );
    assert.equal(slack.at(`/${test}/slack`).length, 1);
    assert.equal(hooks.at(`/${test}/pager`).length, 1);
  });

  it('gives a channel up when its delivery window is over, saying why', async () => {
    await slack.setMode('refuse');
    const key = 'notify:window';
    const failure = await withWorker(async () => {
      try {
        await env.client.workflow.execute(notifyWorkflow, {
          taskQueue: TASK_QUEUE,
          workflowId: key,
          args: [
            {
              key,
              event: sampleEvent(),
              deliveryWindow: '3m',
              channels: [{ name: 'ops-slack', channel: { type: 'slack', webhookUrl: slack.url('/window/slack') } }],
            },
          ],
        });
      } catch (error) {
        return error;
      }
      return undefined;
    });
    assert.ok(failure instanceof WorkflowFailedError && failure.cause instanceof ApplicationFailure);
    const [outcome] = (failure.cause.details?.[0] as NotifyResult).outcomes;
    assert.equal(outcome?.status, 'failed');
    assert.match(outcome?.error ?? '', /^gave up after 3m: channel "ops-slack" not reachable: connect ECONNREFUSED/);
  });

  it('raises an event with no routing given: nothing is started', async () => {
    const { results } = await withWorker(() => runEmitter({ steps: [{ draft: draft('failed') }] }));
    assert.equal(results[0]?.status, 'not-routed');
    assert.equal(results[0]?.event.severity, 'critical');
    assert.match(results[0]?.event.uiUrl ?? '', /^http:\/\/localhost:8233\/namespaces\/default\/workflows\/emitter-/);
  });
});
