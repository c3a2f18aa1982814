/**
 * deliverNotification against real receivers on loopback: what each channel gets, the
 * idempotency key on every try, which failures are retried and which are not, and secrets
 * resolved from the worker's environment.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { deliverNotification } from '../src/activities/notify';
import { loadTimeValue } from '../src/catalog/schema/interpolate';
import type { DeliveryInput } from '../src/notify/notify-input';
import { HttpSink, SmtpSink, sampleEvent } from './helpers/sinks';
import { quietRuntime } from './helpers/time-skipping';

let http: HttpSink;
let smtp: SmtpSink;

before(async () => {
  quietRuntime();
  http = new HttpSink();
  smtp = new SmtpSink();
  await Promise.all([http.start(), smtp.start()]);
});
after(async () => {
  await Promise.all([http?.stop(), smtp?.stop()]);
});

/** Runs the activity as try number `attempt`, the way a worker would. */
function deliver(input: DeliveryInput, attempt = 1) {
  return new MockActivityEnvironment({ attempt }).run(deliverNotification, input);
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
    return error;
  }
  assert.fail('the delivery should have failed');
}

describe('deliverNotification', () => {
  it('posts a Block Kit message to a Slack webhook, with the idempotency key', async () => {
    const receipt = await deliver({
      deliveryKey: 'k1:ops-slack',
      channelName: 'ops-slack',
      channel: { type: 'slack', webhookUrl: http.url('/slack/1') },
      event: sampleEvent(),
    });
    assert.deepEqual(receipt, { channelName: 'ops-slack', attempt: 1 });
    const [delivery, ...more] = http.at('/slack/1');
    assert.equal(more.length, 0);
    assert.equal(delivery?.headers['idempotency-key'], 'k1:ops-slack');
    assert.equal(delivery?.headers['x-jobnet-event'], 'failed');
    const body = delivery?.body as { text: string; blocks: { type: string }[] };
    assert.deepEqual(
      body.blocks.map((b) => b.type),
      ['header', 'section', 'section', 'actions', 'context'],
    );
  });

  it('posts the event to a generic webhook', async () => {
    await deliver({ deliveryKey: 'k2:pager', channelName: 'pager', channel: { type: 'webhook', url: http.url('/hook/2') }, event: sampleEvent() }, 4);
    const [delivery] = http.at('/hook/2');
    const body = delivery?.body as { idempotencyKey: string; event: { job: string; runbookUrl: string } };
    assert.equal(body.idempotencyKey, 'k2:pager');
    assert.equal(body.event.job, 'BATCH-001');
    assert.equal(body.event.runbookUrl, 'https://wiki.example/runbooks/deadlock');
    assert.equal(delivery?.headers['x-jobnet-delivery-attempt'], '4');
  });

  it('mails the recipients over SMTP with a Message-ID made of the key', async () => {
    await deliver({
      deliveryKey: 'notify:BATCH-001@2026-12-01:r1:BATCH-001:failed:3:ops-mail',
      channelName: 'ops-mail',
      channel: { type: 'email', to: ['ops@example.com', 'dba@example.com'], from: 'jobnet@example.com', smtpUrl: smtp.url() },
      event: sampleEvent(),
    });
    const mail = smtp.messages.at(-1);
    assert.deepEqual(mail?.to, ['ops@example.com', 'dba@example.com']);
    assert.equal(mail?.from, 'jobnet@example.com');
    assert.equal(mail?.subject, '[jobnet CRITICAL] BATCH-001 failed (2026-12-01)');
    assert.equal(mail?.messageId, '<notify.BATCH-001.2026-12-01.r1.BATCH-001.failed.3.ops-mail@jobnet>');
  });

  it('resolves a deferred URL from the environment of the worker that sends', async () => {
    const deferred = loadTimeValue('${JOBNET_TEST_HOOK_URL}', {});
    process.env.JOBNET_TEST_HOOK_URL = http.url('/hook/secret');
    try {
      await deliver({ deliveryKey: 'k3:pager', channelName: 'pager', channel: { type: 'webhook', url: deferred }, event: sampleEvent() });
    } finally {
      delete process.env.JOBNET_TEST_HOOK_URL;
    }
    assert.equal(http.at('/hook/secret').length, 1);
    const failure = await failureOf(
      deliver({ deliveryKey: 'k4:pager', channelName: 'pager', channel: { type: 'webhook', url: deferred }, event: sampleEvent() }),
    );
    assert.equal(failure.type, 'NotificationUndelivered');
    assert.equal(failure.nonRetryable, false, 'setting the variable on the worker lets a later try through');
    assert.match(failure.message, /JOBNET_TEST_HOOK_URL is not set on this worker/);
  });

  it('fails retryably while the receiver is down, and says why without the URL', async () => {
    await http.setMode({ status: 500 });
    const answered = await failureOf(
      deliver({
        deliveryKey: 'k5:ops-slack',
        channelName: 'ops-slack',
        channel: { type: 'slack', webhookUrl: http.url('/slack/secret-token') },
        event: sampleEvent(),
      }),
    );
    await http.setMode('refuse');
    const refused = await failureOf(
      deliver(
        {
          deliveryKey: 'k5:ops-slack',
          channelName: 'ops-slack',
          channel: { type: 'slack', webhookUrl: http.url('/slack/secret-token') },
          event: sampleEvent(),
        },
        2,
      ),
    );
    await http.setMode('up');
    assert.equal(answered.nonRetryable, false);
    assert.match(answered.message, /channel "ops-slack" answered HTTP 500: sink is down/);
    assert.equal(refused.nonRetryable, false);
    assert.match(refused.message, /channel "ops-slack" not reachable: (connect ECONNREFUSED|other side closed)/);
    for (const failure of [answered, refused]) assert.ok(!failure.message.includes('secret-token'));
    assert.equal(http.at('/slack/secret-token').length, 0);
  });

  it('does not retry a receiver that rejects the message (a revoked webhook, an unknown mailbox)', async () => {
    await http.setMode({ status: 404 });
    const revoked = await failureOf(
      deliver({ deliveryKey: 'k6:ops-slack', channelName: 'ops-slack', channel: { type: 'slack', webhookUrl: http.url('/slack/6') }, event: sampleEvent() }),
    );
    await http.setMode('up');
    assert.equal(revoked.type, 'NotificationRejected');
    assert.equal(revoked.nonRetryable, true);

    smtp.refusedRecipients.add('nobody@example.com');
    const unknown = await failureOf(
      deliver({
        deliveryKey: 'k7:m',
        channelName: 'm',
        channel: { type: 'email', to: ['nobody@example.com'], from: 'jobnet@example.com', smtpUrl: smtp.url() },
        event: sampleEvent(),
      }),
    );
    assert.equal(unknown.type, 'NotificationRejected');
    assert.match(unknown.message, /channel "m" could not send over SMTP: .*550 mailbox nobody@example.com does not exist \(not retried/);
  });

  it('retries an SMTP server that is not there', async () => {
    const spare = new SmtpSink();
    await spare.start();
    const url = spare.url();
    await spare.stop();
    const failure = await failureOf(
      deliver({
        deliveryKey: 'k8:m',
        channelName: 'm',
        channel: { type: 'email', to: ['ops@example.com'], from: 'jobnet@example.com', smtpUrl: url },
        event: sampleEvent(),
      }),
    );
    assert.equal(failure.type, 'NotificationUndelivered');
    assert.equal(failure.nonRetryable, false);
  });

  it('never quotes a URL that is not http(s) once resolved', async () => {
    const failure = await failureOf(
      deliver({
        deliveryKey: 'k9:p',
        channelName: 'p',
        channel: { type: 'webhook', url: loadTimeValue('${JOBNET_TEST_BAD_URL}', {}) },
        event: sampleEvent(),
      }).finally(() => undefined),
    );
    assert.match(failure.message, /JOBNET_TEST_BAD_URL/);
    process.env.JOBNET_TEST_BAD_URL = 'ftp://user:hunter2@x';
    try {
      const bad = await failureOf(
        deliver({
          deliveryKey: 'k9:p',
          channelName: 'p',
          channel: { type: 'webhook', url: loadTimeValue('${JOBNET_TEST_BAD_URL}', {}) },
          event: sampleEvent(),
        }),
      );
      assert.equal(bad.type, 'NotificationRejected');
      assert.ok(!bad.message.includes('hunter2'));
    } finally {
      delete process.env.JOBNET_TEST_BAD_URL;
    }
  });
});
