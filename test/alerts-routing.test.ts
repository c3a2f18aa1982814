/**
 * The catalog's alert settings reach the runs: `group`, `runbooks`, `warnAfter`, `expect`,
 * `consecutiveFailures` and `delayedRetry.monthlyThreshold` in the job spec, and `notify` in
 * the inputs of jobs, jobnets, their steps and Schedules — with every secret still `${VAR}`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCatalog } from '../src/catalog/load/load';
import { InvalidInputError } from '../src/validation/validation-error';
import { jobSpecOf } from '../src/catalog/compile/job-spec';
import { jobRunInputSchema, jobRunSchema } from '../src/catalog/schema/job-schema';
import { jobnetRunInput, jobnetRunSchema } from '../src/catalog/compile/jobnet-input';
import { jobRouting } from '../src/catalog/compile/run-routing';
import { scheduledRunInputSchema } from '../src/catalog/compile/scheduled-run-schema';
import { catalogSchedules } from '../src/sync/catalog-schedules';
import { routeEvent } from '../src/notify/route';
import { tempDir } from './helpers/fs';

const TEXT = `
version: 1
notify:
  channels:
    ops-slack: { type: slack, webhookUrl: "\${SLACK_WEBHOOK_URL}" }
    hr-mail:   { type: email, to: [hr@example.com], from: jobnet@example.com, smtpUrl: "\${SMTP_URL}" }
    pager:     { type: webhook, url: "https://pager.example/hook" }
  routes:
    - { severity: [critical], channels: [ops-slack] }
    - { severity: [warning, critical], groups: [hr], channels: [hr-mail] }
    - { severity: [critical], jobs: [BATCH-001], channels: [pager] }
jobs:
  hr-import:
    command: [node, import.js]
    group: hr
    schedule: { daily: "02:00" }
    warnAfter: 15m
    expect: { minRecordRatio: 0.5 }
    consecutiveFailures: { alertAt: 3, repeatEvery: 3 }
    delayedRetry: { after: 6m, monthlyThreshold: 4 }
    runbooks: { CommandTimeout: "https://wiki.example/runbooks/hr-timeout" }
  BATCH-001: { command: [node, rank.js] }
jobnets:
  nightly:
    schedule: { daily: "03:00" }
    jobs:
      import: { use: hr-import }
      rank: { use: BATCH-001, needs: [import], onFailure: wait }
`;
const SECRETS = { SLACK_WEBHOOK_URL: 'https://hooks.slack.example/T0/B0/very-secret', SMTP_URL: 'smtp://user:pass-secret@mail.example:587' };
const catalog = parseCatalog(TEXT, 'alerts-test', { env: SECRETS });
const noSecrets = (value: unknown) => {
  const text = JSON.stringify(value);
  for (const secret of Object.values(SECRETS)) assert.ok(!text.includes(secret), `a secret leaked into ${text.slice(0, 200)}…`);
};

describe('the alert settings of a job', () => {
  it('reach the job spec and survive the round trip to a run input', () => {
    const spec = jobSpecOf(catalog, catalog.jobs['hr-import']!, 'hr-import', SECRETS);
    assert.equal(spec.warnAfter, 15 * 60_000);
    assert.deepEqual(spec.expect, { minRecordRatio: 0.5 });
    assert.deepEqual(spec.consecutiveFailures, { alertAt: 3, repeatEvery: 3 });
    assert.deepEqual(spec.delayedRetry, { after: 6 * 60_000, monthlyThreshold: 4 });
    assert.deepEqual(jobRunSchema.parse({ name: 'hr-import', businessDate: '2026-12-01', job: spec }).job, spec, 'the parsed spec is a run input as it is');
  });

  it('takes runbooks for exit codes (exit:<code>) and refuses what is neither a type nor a code', () => {
    const withExit = parseCatalog(
      TEXT.replace('runbooks: { CommandTimeout:', 'runbooks: { "exit:3": "https://wiki.example/runbooks/exit-3", CommandTimeout:'),
      'alerts-test',
      { env: SECRETS },
    );
    assert.equal(withExit.jobs['hr-import']!.runbooks['exit:3'], 'https://wiki.example/runbooks/exit-3');
    for (const key of ['exit:256', 'exit:x', 'exit:', 'Bad-Type']) {
      assert.throws(
        () =>
          parseCatalog(TEXT.replace('runbooks: { CommandTimeout:', `runbooks: { "${key}": "https://wiki.example/x", CommandTimeout:`), 'alerts-test', {
            env: SECRETS,
          }),
        (error: unknown) => error instanceof InvalidInputError && /jobs\.hr-import\.runbooks.*exit:<code>/.test(error.message),
        key,
      );
    }
  });

  it('refuses a route to a group no job has, with a suggestion', () => {
    const broken = TEXT.replace('groups: [hr]', 'groups: [hrr]');
    assert.throws(
      () => parseCatalog(broken, 'alerts-test', { env: SECRETS }),
      (error: unknown) =>
        error instanceof InvalidInputError && /notify\.routes\[1\]\.groups\[0\]: unknown group "hrr" — did you mean "hr"\?/.test(error.message),
    );
    assert.throws(() => parseCatalog(TEXT.replace('    group: hr\n', ''), 'alerts-test', { env: SECRETS }), /no job or step has group: hr/);
  });

  it('builds the notify input of a job run: its group and runbooks, the routes that concern it, secrets as written', () => {
    const notify = jobRouting(catalog, 'hr-import', catalog.jobs['hr-import']!, { routeEvents: true, env: {} });
    const run = jobRunInputSchema.parse({ name: 'hr-import', businessDate: '2026-12-01', job: { command: ['true'] }, notify });
    assert.equal(run.notify?.group, 'hr');
    assert.deepEqual(run.notify?.runbooks, { CommandTimeout: 'https://wiki.example/runbooks/hr-timeout' });
    assert.equal(run.notify?.routes.length, 2, 'the route of BATCH-001 is left out');
    noSecrets(run);
    assert.equal(jobRouting(catalog, 'hr-import', catalog.jobs['hr-import']!, {}), undefined, 'without routeEvents, no routing');
  });
});

describe('the notify input of a jobnet run', () => {
  const input = jobnetRunSchema.parse(jobnetRunInput(catalog, 'nightly', '2026-12-01', SECRETS, { routeEvents: true }));

  it('gives each step its own routing, a used job’s routes covering the step', () => {
    const rank = input.steps.rank!.notify!;
    assert.equal(rank.jobnet, 'nightly');
    const failed = { type: 'failed' as const, severity: 'critical' as const, job: 'rank', jobnet: 'nightly' };
    assert.deepEqual(routeEvent(failed, rank.routes), ['ops-slack', 'pager'], 'the route naming BATCH-001 reaches its step');
    const importStep = input.steps.import!.notify!;
    assert.equal(importStep.group, 'hr', 'the used job’s group');
    assert.deepEqual(routeEvent({ ...failed, job: 'import', group: 'hr' }, importStep.routes), ['ops-slack', 'hr-mail']);
    noSecrets(input);
  });

  it('gives the jobnet its own routing for its failure', () => {
    assert.deepEqual(routeEvent({ type: 'failed', severity: 'critical', job: 'nightly' }, input.notify!.routes), ['ops-slack']);
  });

  it('has no routing without the catalog text', () => {
    const plain = jobnetRunInput(catalog, 'nightly', '2026-12-01', SECRETS);
    assert.equal(plain.notify, undefined);
    assert.equal(plain.steps.rank!.notify, undefined);
  });
});

describe('Schedules', () => {
  it('carry the routing of each fire, secrets as written', () => {
    const work = tempDir('alerts-routing');
    try {
      const file = path.join(work.dir, 'jobnet.yaml');
      writeFileSync(file, TEXT);
      const { desired } = catalogSchedules(catalog, new Date('2026-12-01T00:00:00Z'), file);
      const byName = new Map(desired.map((schedule) => [schedule.name, schedule]));
      const args = (name: string) => {
        const action = byName.get(name)!.options.action;
        assert.ok(action.type === 'startWorkflow');
        return scheduledRunInputSchema.parse(action.args![0]);
      };
      assert.equal(args('hr-import').notify?.group, 'hr');
      assert.equal(args('nightly').jobnet?.steps.rank?.notify?.jobnet, 'nightly');
      assert.ok(args('nightly').notify, 'the jobnet’s own routing');
      noSecrets(desired);
    } finally {
      work.cleanup();
    }
  });
});
