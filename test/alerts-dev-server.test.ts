/**
 * Alerts of real job runs on the Temporal dev server, delivered to real receivers on loopback
 * (an HTTP server playing Slack and a JSON webhook, an SMTP server): the events of a run reach
 * exactly the channels the catalog routes them to, once each; and the checks that read earlier
 * runs from Temporal's visibility (the Java test server has none) — previous day's record
 * count, consecutive failures, delayed retries this month — raise their alert exactly once.
 *
 * Runs are built from a catalog text the way `jobnet run` builds them (jobSpecOf,
 * jobRouting), channel URLs as `${VAR}` resolved by the worker. Each run of a job waits until
 * visibility shows the one before it closed, as a day apart would.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { parseCatalog } from '../src/catalog/load/load';
import { jobSpecOf } from '../src/catalog/compile/job-spec';
import { jobRouting } from '../src/catalog/compile/run-routing';
import { jobStateQuery, type JobRun } from '../src/contracts/job';
import type { JobResult } from '../src/catalog/schema/run-result';
import { jobnetEventSchema, type JobnetEvent } from '../src/events/event-schema';
import { startDevEnv, type DevEnv } from './helpers/dev-env';
import { waitFor } from './helpers/fs';
import { HttpSink, SmtpSink } from './helpers/sinks';
import { jobnetClient } from '../src/temporal/client';

const VARS = ['ALERTS_SLACK_URL', 'ALERTS_HOOK_URL', 'ALERTS_SMTP_URL'] as const;

const CATALOG = `
version: 1
notify:
  channels:
    ops-slack: { type: slack, webhookUrl: "\${ALERTS_SLACK_URL}" }
    ops-mail:  { type: email, to: [ops@example.com], from: jobnet@example.com, smtpUrl: "\${ALERTS_SMTP_URL}" }
    hook:      { type: webhook, url: "\${ALERTS_HOOK_URL}" }
  routes:
    - { severity: [critical], channels: [ops-slack, ops-mail] }
    - { severity: [warning], channels: [ops-slack] }
    - { severity: [info], events: [retry_succeeded], channels: [hook] }
jobs:
  hr-import:
    command: [sh, -c, 'if [ ! -e "$MARK.$JOBNET_BUSINESS_DATE" ]; then touch "$MARK.$JOBNET_BUSINESS_DATE"; echo "upstream file not there yet" >&2; exit 1; fi; echo imported']
    env: { MARK: "\${ALERTS_MARK}" }
    delayedRetry: { after: 2s, monthlyThreshold: 2 }
  ranking:
    command: [sh, -c, 'echo JOBNET_RECORD_COUNT=$COUNT']
    expect: { minRecordRatio: 0.5 }
  flaky-export:
    command: [sh, -c, 'echo "export target refused the connection" >&2; exit 3']
  quiet-report:
    command: [sh, -c, 'sleep $PAUSE; echo JOBNET_RECORD_COUNT=$COUNT']
    env: { PAUSE: "0" }
    expect: { minRecordRatio: 0.5 }
    warnAfter: 2s
  quiet-export:
    command: [sh, -c, 'echo "export target refused the connection" >&2; exit 3']
`;

let env: DevEnv;
let connection: Connection;
let client: Client;
let slack: HttpSink;
let hook: HttpSink;
let smtp: SmtpSink;

before(async () => {
  slack = new HttpSink();
  hook = new HttpSink();
  smtp = new SmtpSink();
  await Promise.all([slack.start(), hook.start(), smtp.start()]);
  // The worker of this process resolves the channels' ${VAR}s when it sends.
  process.env.ALERTS_SLACK_URL = slack.url('/slack');
  process.env.ALERTS_HOOK_URL = hook.url('/hook');
  process.env.ALERTS_SMTP_URL = smtp.url();
  env = await startDevEnv('alerts-dev');
  process.env.ALERTS_MARK = `${env.work.dir}/failed-once`;
  connection = await Connection.connect({ address: env.server.address });
  client = jobnetClient(connection);
});
after(async () => {
  await connection?.close();
  await env?.stop();
  await Promise.all([slack?.stop(), hook?.stop(), smtp?.stop()]);
  for (const name of [...VARS, 'ALERTS_MARK']) delete process.env[name];
});

/** The input `jobnet run <job>` would start, with the job's env overridden. */
function runInput(job: string, businessDate: string, jobEnv: Record<string, string> = {}): JobRun {
  const catalog = parseCatalog(CATALOG, 'alerts-dev', { env: {} });
  const spec = jobSpecOf(catalog, catalog.jobs[job]!, job, process.env);
  const notify = jobRouting(catalog, job, catalog.jobs[job]!, { routeEvents: true, env: {} });
  return { name: job, businessDate, job: { ...spec, env: { ...spec.env, ...jobEnv } }, ...(notify === undefined ? {} : { notify }) };
}

/** The input of a run started without its routing (as \`jobnet run\` without routeEvents): its events go nowhere. */
function unroutedInput(job: string, businessDate: string, jobEnv: Record<string, string> = {}): JobRun {
  const { notify: _routing, ...input } = runInput(job, businessDate, jobEnv);
  return input;
}

/** The notification workflows a run started, read from its history. */
async function notificationsOf(workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const attributes = event.startChildWorkflowExecutionInitiatedEventAttributes;
    return attributes?.workflowType?.name === 'notifyWorkflow' && attributes.workflowId ? [attributes.workflowId] : [];
  });
}

/**
 * Which workflow task recorded the run's `checks-without-route` patch marker, as the id of its
 * WorkflowTaskCompleted event, and the id of the run's first such event.
 */
async function checksPatchTask(workflowId: string): Promise<{ marker: number | undefined; first: number | undefined }> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const first = events.find((event) => event.workflowTaskCompletedEventAttributes)?.eventId;
  const marker = events.find((event) => {
    const attributes = event.markerRecordedEventAttributes;
    const data = attributes?.markerName === 'core_patch' ? attributes.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    return data !== undefined && data !== null && Buffer.from(data).toString().includes('checks-without-route');
  })?.markerRecordedEventAttributes?.workflowTaskCompletedEventId;
  return {
    marker: marker === undefined || marker === null ? undefined : Number(marker),
    first: first === undefined || first === null ? undefined : Number(first),
  };
}

/** Runs one job for one date to its end, then waits until visibility has it closed. */
async function run(input: JobRun): Promise<JobResult> {
  const workflowId = `${input.name}@${input.businessDate}`;
  started.push(workflowId);
  let result: JobResult;
  try {
    result = await client.workflow.execute('jobWorkflow', { taskQueue: 'default', workflowId, args: [input] });
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    result = (error.cause as { details?: unknown[] } | undefined)?.details?.[0] as JobResult;
  }
  await waitFor(
    async () => {
      for await (const execution of client.workflow.list({ query: `WorkflowId = "${workflowId}" AND ExecutionStatus != "Running"` })) return execution;
      return undefined;
    },
    10_000,
    `${workflowId} closed in visibility`,
  );
  return result;
}

/** Every run this file started, so their notifications can be awaited. */
const started: string[] = [];

/**
 * Waits until every notification the runs started has finished, so the sinks hold all they will
 * ever get. The notify workflows are read from each run's history (its child starts), not from
 * visibility, which may not list a just-started child yet.
 */
async function notificationsSettled(): Promise<void> {
  for (const workflowId of started.splice(0)) {
    const children = await notificationsOf(workflowId);
    await Promise.all(
      children.map((id) =>
        client.workflow
          .getHandle(id)
          .result()
          .catch(() => undefined),
      ),
    );
  }
}

interface SlackBody {
  text: string;
  blocks: { type: string; elements?: { text: string }[] }[];
}

/** "<event type> <business date>" of each Slack message about `job`, read from the message's context line and fallback text. */
function slackEvents(job: string): string[] {
  return slack
    .at('/slack')
    .map((delivery) => delivery.body as SlackBody)
    .filter((body) => body.text.includes(` ${job} `))
    .map((body) => {
      const context = body.blocks.find((block) => block.type === 'context')?.elements?.[0]?.text ?? '';
      const [type] = context.split(' · ');
      return `${type} ${/\((\d{4}-\d{2}-\d{2})\)/.exec(body.text)?.[1]}`;
    })
    .sort();
}

const hookEvents = (): JobnetEvent[] => hook.at('/hook').map((delivery) => jobnetEventSchema.parse((delivery.body as { event: unknown }).event));
const mailsAbout = (job: string) => smtp.messages.filter((message) => message.subject.includes(job));

describe('alerts of job runs on the dev server', () => {
  it('a failure healed by the delayed retry: failed, retry_scheduled and retry_succeeded reach exactly their channels, once each; the 2nd delayed retry of the month warns', async () => {
    const first = await run(runInput('hr-import', '2026-12-01'));
    assert.equal(first.status, 'success');
    assert.deepEqual(
      first.events.map((event) => event.type),
      ['started', 'failed', 'retry_scheduled', 'retry_succeeded'],
    );
    const second = await run(runInput('hr-import', '2026-12-02'));
    assert.equal(second.delayedRetry, true);
    await notificationsSettled();

    // Slack: critical and warning — each run's failure and retry, and the threshold once, by the 2nd.
    assert.deepEqual(slackEvents('hr-import'), [
      'delayed_retry_threshold 2026-12-02',
      'failed 2026-12-01',
      'failed 2026-12-02',
      'retry_scheduled 2026-12-01',
      'retry_scheduled 2026-12-02',
    ]);
    // E-mail: critical only.
    assert.deepEqual(
      mailsAbout('hr-import')
        .map((mail) => mail.subject)
        .sort(),
      ['[jobnet CRITICAL] hr-import failed (2026-12-01)', '[jobnet CRITICAL] hr-import failed (2026-12-02)'],
    );
    // The webhook: the info route for retry_succeeded only; started and succeeded go nowhere.
    const succeeded = hookEvents().filter((event) => event.job === 'hr-import');
    assert.deepEqual(succeeded.map((event) => `${event.type} ${event.businessDate}`).sort(), ['retry_succeeded 2026-12-01', 'retry_succeeded 2026-12-02']);
    assert.equal(succeeded[0]!.severity, 'info');
    assert.match(succeeded[0]!.uiUrl, /\/namespaces\/default\/workflows\/hr-import%402026-12-0[12]\//);
  });

  it('a record count at 40 % of the previous business date raises one anomaly warning; the next day at par raises none', async () => {
    for (const [date, count] of [
      ['2026-12-01', '100'],
      ['2026-12-02', '40'],
      ['2026-12-03', '40'],
    ] as const) {
      const result = await run(runInput('ranking', date, { COUNT: count }));
      assert.equal(result.recordCount, Number(count));
    }
    await notificationsSettled();
    assert.deepEqual(slackEvents('ranking'), ['record_count_anomaly 2026-12-02']);
    const delivered = slack.at('/slack').find((delivery) => (delivery.body as SlackBody).text.includes(' ranking '));
    assert.match(JSON.stringify(delivered?.body), /40 records, 40 % of the 100 of 2026-12-01/);
  });

  it('the third failed run in a row raises one consecutive_failures alert, the fourth none', async () => {
    for (const date of ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']) {
      const result = await run(runInput('flaky-export', date));
      assert.equal(result.status, 'error');
    }
    await notificationsSettled();
    const subjects = mailsAbout('flaky-export').map((mail) => mail.subject);
    assert.equal(subjects.filter((subject) => subject.includes('failed several runs in a row')).length, 1, subjects.join('\n'));
    assert.ok(subjects.includes('[jobnet CRITICAL] flaky-export failed several runs in a row (2026-12-03)'), subjects.join('\n'));
    assert.equal(subjects.filter((subject) => /flaky-export failed \(/.test(subject)).length, 4, 'each failure once');
  });

  it('without a route, warnAfter, the record-count check and the failure streak still make their events: in the result and the state query, with no notification', async () => {
    const checkEvents = (result: JobResult) =>
      result.events.map((event) => event.type).filter((type) => type !== 'started' && type !== 'succeeded' && type !== 'failed');
    // The day before (on a slow machine it may be late too: not asserted).
    const first = await run(unroutedInput('quiet-report', '2026-12-01', { COUNT: '100' }));
    assert.equal(first.status, 'success');
    // 40 % of the day before, and still running 2 s (warnAfter) after its start.
    const late = await run(unroutedInput('quiet-report', '2026-12-02', { COUNT: '40', PAUSE: '5' }));
    assert.equal(late.status, 'success');
    assert.deepEqual(checkEvents(late), ['sla_warning', 'record_count_anomaly']);
    assert.match(late.events.find((event) => event.type === 'record_count_anomaly')!.message ?? '', /40 records, 40 % of the 100 of 2026-12-01/);
    const state = await client.workflow.getHandle('quiet-report@2026-12-02').query(jobStateQuery);
    assert.deepEqual(
      state.events.map((event) => event.type),
      ['started', 'sla_warning', 'succeeded', 'record_count_anomaly'],
    );
    assert.deepEqual(await notificationsOf('quiet-report@2026-12-02'), [], 'nobody is notified: no route');

    let third: JobResult | undefined;
    for (const date of ['2026-12-01', '2026-12-02', '2026-12-03']) third = await run(unroutedInput('quiet-export', date));
    assert.equal(third?.status, 'error');
    assert.deepEqual(checkEvents(third!), ['consecutive_failures']);
    assert.deepEqual(await notificationsOf('quiet-export@2026-12-03'), []);
    // The patch is decided in the run's first workflow task, not after the failed attempt's
    // run-log line (a local activity): there a replaying worker can disagree (job-alerts.ts).
    const patchTask = await checksPatchTask('quiet-export@2026-12-03');
    assert.ok(patchTask.marker !== undefined, 'the run recorded the checks-without-route patch');
    assert.equal(patchTask.marker, patchTask.first, 'the patch marker sits in the first workflow task');
    started.splice(0);
  });
});
