/**
 * The messages each channel gets: a Slack Block Kit message an operator can read and act on,
 * an e-mail whose subject already tells the story, and the webhook's documented JSON.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jobnetEventSchema } from '../src/events/event-schema';
import { formatEmail } from '../src/notify/format-email';
import { formatSlack, type SlackBlock } from '../src/notify/format-slack';
import { formatWebhook } from '../src/notify/format-webhook';
import { sampleEvent } from './helpers/sinks';

const blocksOf = <T extends SlackBlock['type']>(blocks: SlackBlock[], type: T) => blocks.filter((b): b is Extract<SlackBlock, { type: T }> => b.type === type);

describe('Slack message', () => {
  it('says severity, job and what happened in the header, and the facts as fields', () => {
    const message = formatSlack(sampleEvent());
    const [header] = blocksOf(message.blocks, 'header');
    assert.equal(header?.text.text, '🔴 BATCH-001 failed');
    const fields = blocksOf(message.blocks, 'section')
      .flatMap((s) => s.fields ?? [])
      .map((f) => f.text);
    assert.deepEqual(fields, ['*Severity*\nCRITICAL', '*Business date*\n2026-12-01', '*Job*\nBATCH-001', '*Attempt*\n3', '*Error type*\nDeadlockError']);
    assert.match(message.text, /^🔴 CRITICAL: BATCH-001 failed \(2026-12-01\): deadlock/);
  });

  it('escapes the message, whose text comes from the command', () => {
    const message = formatSlack(sampleEvent());
    const texts = blocksOf(message.blocks, 'section').flatMap((s) => (s.text ? [s.text.text] : []));
    assert.deepEqual(texts, ['```deadlock detected while updating &lt;Rankings&gt; &amp; friends```']);
  });

  it('has a button to the run in the Web UI and one to the runbook', () => {
    const [actions] = blocksOf(formatSlack(sampleEvent()).blocks, 'actions');
    assert.deepEqual(
      actions?.elements.map((b) => [b.text.text, b.url, b.style]),
      [
        ['Open run in Temporal UI', 'http://localhost:8233/namespaces/default/workflows/BATCH-001%402026-12-01/0192-run', 'danger'],
        ['Runbook: DeadlockError', 'https://wiki.example/runbooks/deadlock', undefined],
      ],
    );
  });

  it('leaves out the runbook button when the error type has none, and names the jobnet of a step', () => {
    const message = formatSlack(sampleEvent({ runbookUrl: undefined, severity: 'warning', type: 'sla_warning', jobnet: 'daily-ranking', job: 'rank' }));
    const [actions] = blocksOf(message.blocks, 'actions');
    assert.equal(actions?.elements.length, 1);
    assert.equal(actions?.elements[0]?.style, undefined, 'only critical events get the red button');
    assert.equal(blocksOf(message.blocks, 'header')[0]?.text.text, '🟠 daily-ranking / rank is running late');
  });

  it('keeps within Block Kit limits for a huge message', () => {
    const message = formatSlack(sampleEvent({ message: 'x'.repeat(50_000), job: 'J'.repeat(300) }));
    for (const block of message.blocks) {
      if (block.type === 'header') assert.ok(block.text.text.length <= 150);
      if (block.type === 'section' && block.text) assert.ok(block.text.text.length <= 3000);
    }
    assert.ok(message.text.length <= 3000);
  });
});

describe('e-mail', () => {
  it('has a subject that tells severity, job, what and when', () => {
    assert.equal(formatEmail(sampleEvent()).subject, '[jobnet CRITICAL] BATCH-001 failed (2026-12-01)');
  });

  it('has the facts, the message and both links in the text, and escapes the HTML', () => {
    const mail = formatEmail(sampleEvent());
    assert.match(mail.text, /^Business date: +2026-12-01$/m);
    assert.match(mail.text, /^Run in Temporal UI: +http:\/\/localhost:8233\/namespaces\/default\/workflows\/BATCH-001%402026-12-01\/0192-run$/m);
    assert.match(mail.text, /^Runbook \(DeadlockError\): +https:\/\/wiki\.example\/runbooks\/deadlock$/m);
    assert.ok(mail.text.includes('deadlock detected while updating <Rankings> & friends'));
    assert.ok(mail.html.includes('&lt;Rankings&gt; &amp; friends'));
    assert.ok(!mail.html.includes('<Rankings>'));
  });
});

describe('webhook body', () => {
  it('is the event as the schema defines it, with the idempotency key', () => {
    const event = sampleEvent();
    const body = JSON.parse(JSON.stringify(formatWebhook(event, 'k-1'))) as ReturnType<typeof formatWebhook>;
    assert.equal(body.version, 1);
    assert.equal(body.idempotencyKey, 'k-1');
    assert.equal(body.summary, 'CRITICAL: BATCH-001 failed (2026-12-01)');
    assert.deepEqual(jobnetEventSchema.parse(body.event), event);
  });
});
