/**
 * Routing of events to channels (pure), the catalog's `notify:` section with its new route
 * conditions, and the routing input a run carries — with its secrets kept deferred.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCatalog } from '../src/catalog/load/load';
import { resolveOnHost } from '../src/catalog/schema/interpolate';
import { InvalidInputError } from '../src/validation/validation-error';
import { DEFAULT_SEVERITY, EVENT_TYPES, jobnetEventSchema, runUiUrl, runbookFor } from '../src/events/event-schema';
import { eventRoutingSchema } from '../src/catalog/schema/event-routing-schema';
import { eventRoutingFor } from '../src/catalog/compile/event-routing';
import { routeEvent, routedChannels, type RoutableEvent } from '../src/notify/route';

const CATALOG = `
version: 1
notify:
  channels:
    ops-slack: { type: slack, webhookUrl: "\${SLACK_WEBHOOK_URL}" }
    ops-mail:  { type: email, to: [ops@example.com], from: jobnet@example.com, smtpUrl: "\${SMTP_URL:-smtp://localhost:25}" }
    pager:     { type: webhook, url: "\${PAGER_URL}" }
    hr-mail:   { type: email, to: [hr@example.com], from: jobnet@example.com, smtpUrl: "smtp://mail.example:25" }
    streaks:   { type: webhook, url: "https://tickets.example/hook" }
  routes:
    - { severity: [critical], channels: [ops-slack, ops-mail, pager] }
    - { severity: [warning], channels: [ops-slack] }
    - { severity: [critical, warning], groups: [hr], channels: [hr-mail, ops-slack] }
    - { severity: [critical], events: [consecutive_failures], channels: [streaks] }
    - { severity: [info], jobs: [daily-ranking], channels: [ops-slack] }
jobs:
  BATCH-000: { command: [node, a.js] }
  hr-import: { command: [pwsh, import.ps1], group: hr }
jobnets:
  daily-ranking:
    jobs:
      aggregate: { use: BATCH-000 }
`;

const SECRETS = { SLACK_WEBHOOK_URL: 'https://hooks.slack.example/T000/B000/secret', PAGER_URL: 'https://pager.example/secret' };
const catalog = parseCatalog(CATALOG, 'notify-test', { env: SECRETS });

const event = (overrides: Partial<RoutableEvent> = {}): RoutableEvent => ({ type: 'failed', severity: 'critical', job: 'BATCH-000', ...overrides });

describe('routeEvent', () => {
  it('sends a critical failure to every critical channel, each once', () => {
    assert.deepEqual(routeEvent(event(), catalog.notify.routes), ['ops-slack', 'ops-mail', 'pager']);
  });

  it('sends a warning only to the warning route', () => {
    assert.deepEqual(routeEvent(event({ type: 'sla_warning', severity: 'warning' }), catalog.notify.routes), ['ops-slack']);
  });

  it('sends nothing for an info event no route wants', () => {
    assert.deepEqual(routeEvent(event({ type: 'succeeded', severity: 'info' }), catalog.notify.routes), []);
  });

  it('adds the group route for a job of that group, without repeating a channel', () => {
    assert.deepEqual(routeEvent(event({ job: 'hr-import', group: 'hr' }), catalog.notify.routes), ['ops-slack', 'ops-mail', 'pager', 'hr-mail']);
    assert.deepEqual(routeEvent(event({ job: 'hr-import', group: 'finance' }), catalog.notify.routes), ['ops-slack', 'ops-mail', 'pager']);
  });

  it('honours a route limited to event types', () => {
    assert.deepEqual(routeEvent(event({ type: 'consecutive_failures' }), catalog.notify.routes), ['ops-slack', 'ops-mail', 'pager', 'streaks']);
  });

  it("matches a route's jobs on the job or on its jobnet", () => {
    const info = event({ type: 'succeeded', severity: 'info', job: 'aggregate' });
    assert.deepEqual(routeEvent(info, catalog.notify.routes), []);
    assert.deepEqual(routeEvent({ ...info, jobnet: 'daily-ranking' }, catalog.notify.routes), ['ops-slack']);
    assert.deepEqual(routeEvent({ ...info, job: 'daily-ranking' }, catalog.notify.routes), ['ops-slack']);
  });

  it('returns route names without a channel apart instead of dropping them silently', () => {
    const routed = routedChannels(event(), { channels: {}, routes: [{ severity: ['critical'], channels: ['gone'] }] });
    assert.deepEqual(routed, { channels: [], unknown: ['gone'] });
  });
});

describe('the notify section of the catalog', () => {
  it('stays compatible: a route of severity and channels only', () => {
    const minimal = parseCatalog('notify: { channels: { s: { type: webhook, url: "https://x.example" } }, routes: [{ severity: [critical], channels: [s] }] }');
    assert.deepEqual(minimal.notify.routes, [{ severity: ['critical'], channels: ['s'] }]);
  });

  it('rejects an unknown event type in a route, naming the known ones', () => {
    assert.throws(
      () =>
        parseCatalog(
          'notify: { channels: { s: { type: webhook, url: "https://x.example" } }, routes: [{ severity: [critical], events: [faild], channels: [s] }] }',
        ),
      (error: unknown) =>
        error instanceof InvalidInputError && /notify\.routes\[0\]\.events\[0\]: "faild" is not an event type: started, succeeded, failed/.test(error.message),
    );
  });

  it('has a default severity for every event type', () => {
    for (const type of EVENT_TYPES) assert.ok(['critical', 'warning', 'info'].includes(DEFAULT_SEVERITY[type]), type);
    assert.equal(DEFAULT_SEVERITY.failed, 'critical');
    assert.equal(DEFAULT_SEVERITY.sla_warning, 'warning');
    assert.equal(DEFAULT_SEVERITY.started, 'info');
  });
});

describe('eventRoutingFor', () => {
  it('keeps only the routes and channels that can concern the run', () => {
    const routing = eventRoutingFor(catalog.notify, { names: ['BATCH-000'] }, { env: {} });
    assert.equal(routing.routes?.length, 4, 'the jobs-limited route of daily-ranking is left out');
    assert.deepEqual(Object.keys(routing.channels ?? {}).sort(), ['hr-mail', 'ops-mail', 'ops-slack', 'pager', 'streaks']);
    const forJobnet = eventRoutingFor(catalog.notify, { names: ['daily-ranking', 'aggregate', 'BATCH-000'] }, { env: {} });
    assert.equal(forJobnet.routes?.length, 5);
  });

  it('keeps channel URLs as written, even where the variables are set, so no resolved URL enters a run input', () => {
    const routing = eventRoutingSchema.parse(eventRoutingFor(catalog.notify, { names: ['BATCH-000'] }, { env: { JOBNET_UI_URL: 'https://temporal.example' } }));
    const serialized = JSON.stringify(routing);
    for (const secret of Object.values(SECRETS)) assert.ok(!serialized.includes(secret), `${secret} must not be in the input`);
    const slack = routing.channels['ops-slack'];
    assert.ok(slack?.type === 'slack' && slack.webhookUrl === '${SLACK_WEBHOOK_URL}');
    assert.equal(resolveOnHost(slack.webhookUrl, SECRETS).value, SECRETS.SLACK_WEBHOOK_URL, 'the worker resolves it from its own environment');
    const mail = routing.channels['ops-mail'];
    assert.ok(
      mail?.type === 'email' && mail.smtpUrl === '${SMTP_URL:-smtp://localhost:25}',
      'a URL with a default stays as written too: the worker may set it',
    );
    assert.equal(resolveOnHost(mail.smtpUrl, {}).value, 'smtp://localhost:25');
    const literal = routing.channels['hr-mail'];
    assert.ok(literal?.type === 'email' && literal.smtpUrl === 'smtp://mail.example:25', 'a URL without variables stays as it is');
    assert.equal(routing.uiBaseUrl, 'https://temporal.example');
  });

  it('loads the same whatever the loading environment holds', () => {
    const withoutSecrets = parseCatalog(CATALOG, 'notify-test', { env: {} });
    assert.deepEqual(withoutSecrets.notify, catalog.notify);
    assert.equal(eventRoutingFor(withoutSecrets.notify, {}, { env: {} }).uiBaseUrl, 'http://localhost:8233');
  });

  it('carries the group, the jobnet and the runbooks of the job', () => {
    const routing = eventRoutingFor(
      catalog.notify,
      { names: ['hr-import'], group: 'hr', jobnet: 'nightly', runbooks: { DeadlockError: 'https://wiki.example/deadlock' } },
      { env: {} },
    );
    assert.equal(routing.group, 'hr');
    assert.equal(routing.jobnet, 'nightly');
    assert.deepEqual(routing.runbooks, { DeadlockError: 'https://wiki.example/deadlock' });
  });
});

describe('event links', () => {
  it('links the run in the Web UI, with the ids escaped', () => {
    assert.equal(
      runUiUrl('http://localhost:8233/', 'default', 'BATCH-001@2026-12-01', 'r-1'),
      'http://localhost:8233/namespaces/default/workflows/BATCH-001%402026-12-01/r-1',
    );
  });

  it('finds the runbook of the error type, and only that', () => {
    const runbooks = { DeadlockError: 'https://wiki.example/deadlock' };
    assert.equal(runbookFor(runbooks, 'DeadlockError'), 'https://wiki.example/deadlock');
    assert.equal(runbookFor(runbooks, 'OtherError'), undefined);
    assert.equal(runbookFor(runbooks, undefined), undefined);
    assert.equal(runbookFor(runbooks, 'constructor'), undefined, 'no prototype keys');
  });

  it('rejects an event without its links and ids', () => {
    const result = jobnetEventSchema.safeParse({ type: 'failed', severity: 'critical', job: 'x', businessDate: '2026-12-01', message: 'm' });
    assert.equal(result.success, false);
  });
});
