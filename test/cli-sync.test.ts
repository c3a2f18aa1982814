/**
 * `jobnet sync`, `plan`, `pause/resume --all` and `list` against the real dev server: the
 * Schedules match the catalog, sync is idempotent and deletes only its own, the offline plan
 * equals the server's upcoming action times.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { businessDateAt } from '../src/time/business-date';
import { JobName } from '../src/contracts/search-attributes';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { jobnet } from './helpers/cli';
import { startDevEnv, type DevEnv } from './helpers/dev-env';
import { jobnetClient } from '../src/temporal/client';
import { parseCatalog } from '../src/catalog/load/load';
import { catalogSchedules } from '../src/sync/catalog-schedules';

let env: DevEnv;
let catalog: string;
let client: Client;

/** A Wednesday two to three weeks from today: inside the skip horizon whatever today is. */
function comingWednesday(): Date {
  const date = new Date();
  date.setUTCHours(12, 0, 0, 0);
  date.setUTCDate(date.getUTCDate() + 14 + ((3 - date.getUTCDay() + 7) % 7));
  return date;
}
const EXTRA_HOLIDAY = comingWednesday();
const NEXT_NEW_YEAR = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1, 12));
const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'];

const CATALOG = `version: 1
timezone: Asia/Tokyo
calendars:
  jp-business: { weekdays: [mon, tue, wed, thu, fri], holidays: jp, extraHolidays: [${EXTRA_HOLIDAY.toISOString().slice(0, 10)}] }
jobs:
  nightly:
    description: nightly ranking
    command: [sh, -c, "exit 0"]
    schedule: { cron: "0 3 * * *", calendar: jp-business }
  hourly:
    command: ["true"]
    schedule: { interval: 1h }
  weekly:
    command: ["true"]
    schedule: { weekly: "sun 03:00", overlap: buffer, timezone: America/New_York }
  quarter-hourly:
    command: ["true"]
    schedule: { cron: "*/15 * * * *" }
  switched-off:
    command: ["true"]
    schedule: { daily: "01:00", enabled: false }
  failing:
    command: [sh, -c, "exit 1"]
jobnets:
  chain:
    description: two steps after each other
    schedule: { daily: "05:00" }
    jobs:
      first: { use: nightly }
      second: { command: ["true"], needs: [first] }
`;

before(async () => {
  env = await startDevEnv('cli-sync');
  catalog = path.join(env.work.dir, 'jobnet.yaml');
  writeFileSync(catalog, CATALOG);
  client = jobnetClient(await Connection.connect({ address: env.server.address }));
});
after(async () => {
  await client?.connection.close();
  await env?.stop();
});

async function waitFor(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const cli = (...argv: string[]) => jobnet('-c', catalog, '--address', env.server.address, ...argv);
const ids = ['jobnet:hourly', 'jobnet:nightly', 'jobnet:switched-off', 'jobnet:weekly'];

describe('jobnet sync', () => {
  it('creates one Schedule per scheduled job, as the catalog describes it', async () => {
    const result = await cli('sync');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        '+ jobnet:chain',
        '+ jobnet:hourly',
        '+ jobnet:nightly',
        '+ jobnet:quarter-hourly',
        '+ jobnet:switched-off (paused: disabled)',
        '+ jobnet:weekly',
        '+ jobnet:_refresh',
        '',
      ].join('\n'),
    );

    const nightly = await client.schedule.getHandle('jobnet:nightly').describe();
    assert.equal(nightly.spec.timezone, 'Asia/Tokyo');
    const skips = (date: Date) =>
      (nightly.spec.skip ?? []).some(
        (s) =>
          s.year?.[0]?.start === date.getUTCFullYear() && s.month?.[0]?.start === MONTHS[date.getUTCMonth()] && s.dayOfMonth?.[0]?.start === date.getUTCDate(),
      );
    assert.ok(skips(EXTRA_HOLIDAY), 'extra holiday skipped');
    // A weekday New Year's Day would fire but for the national holiday; a weekend one never fires.
    const newYearOnWeekday = NEXT_NEW_YEAR.getUTCDay() >= 1 && NEXT_NEW_YEAR.getUTCDay() <= 5;
    assert.equal(skips(NEXT_NEW_YEAR), newYearOnWeekday, "New Year's Day");
    assert.equal(nightly.policies.overlap, 'SKIP');
    assert.equal(nightly.memo?.description, 'nightly ranking');
    assert.equal(nightly.typedSearchAttributes.get(JobName), 'nightly');
    assert.equal(nightly.state.paused, false);
    if (nightly.action.type !== 'startWorkflow') assert.fail('a startWorkflow action');
    assert.equal(nightly.action.workflowType, 'scheduledRunWorkflow');

    const weekly = await client.schedule.getHandle('jobnet:weekly').describe();
    assert.equal(weekly.spec.timezone, 'America/New_York');
    assert.equal(weekly.policies.overlap, 'BUFFER_ONE');
    const off = await client.schedule.getHandle('jobnet:switched-off').describe();
    assert.equal(off.state.paused, true);
    assert.match(off.state.note ?? '', /disabled in the catalog/);
  });

  it('a second sync changes nothing', async () => {
    const result = await cli('sync');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^no changes \(7 schedules up to date\)/);
  });

  it("plan's next runs equal the server's upcoming action times", async () => {
    for (const id of ids.filter((id) => id !== 'jobnet:switched-off')) {
      const description = await client.schedule.getHandle(id).describe();
      const serverTimes = description.info.nextActionTimes.map((time) => time.getTime());
      const plan = await cli('--json', 'plan', '--next', String(serverTimes.length));
      assert.equal(plan.code, 0, plan.stderr);
      const planned = (JSON.parse(plan.stdout) as { schedules: Array<{ name: string; kind: string; nextRuns: string[] }> }).schedules.find(
        (s) => `jobnet:${s.name}` === id,
      );
      assert.ok(planned && planned.kind === 'job');
      assert.deepEqual(
        planned.nextRuns.map((time) => Date.parse(time)),
        serverTimes,
        id,
      );
    }
  });

  it('pause --all and resume --all with a note, leaving a catalog-disabled job paused', async () => {
    const paused = await cli('pause', '--all', '--note', 'server maintenance 2026-12-05');
    assert.equal(paused.code, 0, paused.stderr);
    for (const id of ids) {
      const state = (await client.schedule.getHandle(id).describe()).state;
      assert.equal(state.paused, true, id);
      if (id !== 'jobnet:switched-off') assert.equal(state.note, 'server maintenance 2026-12-05');
    }
    const resumed = await cli('resume', '--all', '--note', 'maintenance over');
    assert.equal(resumed.code, 0, resumed.stderr);
    for (const id of ids) {
      const state = (await client.schedule.getHandle(id).describe()).state;
      assert.equal(state.paused, id === 'jobnet:switched-off', id);
    }
  });

  it('removing a job from the file deletes its Schedule and nothing else', async () => {
    await client.schedule.create({
      scheduleId: 'not-jobnets',
      spec: { intervals: [{ every: '1h' }] },
      action: { type: 'startWorkflow', workflowType: 'noop', taskQueue: 'none', args: [] },
      state: { paused: true },
    });
    assert.equal((await cli('remove', 'hourly')).code, 0);
    const result = await cli('sync');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '- jobnet:hourly\n');
    await assert.rejects(client.schedule.getHandle('jobnet:hourly').describe());
    await client.schedule.getHandle('not-jobnets').describe();
    await client.schedule.getHandle('jobnet:nightly').describe();
  });

  it("a second catalog in the namespace syncs its own Schedules and leaves the first's untouched", async () => {
    const first = (await client.schedule.getHandle('jobnet:nightly').describe()).info.createdAt.getTime();
    const second = path.join(path.dirname(catalog), 'billing.yaml');
    const billing = (jobs: string) => `version: 1\nname: billing\njobs:\n${jobs}`;
    writeFileSync(
      second,
      billing('  invoice:\n    command: ["true"]\n    schedule: { daily: "06:00" }\n  dunning:\n    command: ["true"]\n    schedule: { daily: "07:00" }\n'),
    );
    const other = (...argv: string[]) => jobnet('-c', second, '--address', env.server.address, ...argv);
    const created = await other('sync');
    assert.equal(created.code, 0, created.stderr);
    // Each change once, as it is made: on stdout, not again on stderr.
    assert.equal(created.stdout, ['+ jobnet:dunning', '+ jobnet:invoice', '+ jobnet:_refresh.billing', ''].join('\n'));
    assert.doesNotMatch(created.stderr, /jobnet:/);
    // The first catalog's Schedules are not the second's to delete, and vice versa.
    assert.match((await cli('sync')).stdout, /^no changes/);
    writeFileSync(second, billing('  invoice:\n    command: ["true"]\n    schedule: { daily: "06:00" }\n'));
    assert.equal((await other('sync')).stdout, '- jobnet:dunning\n');
    assert.equal((await client.schedule.getHandle('jobnet:nightly').describe()).info.createdAt.getTime(), first);
    await client.schedule.getHandle('jobnet:_refresh').describe();
    // A name the first catalog has: refused before anything changes, naming the job and the owner.
    writeFileSync(
      second,
      billing('  invoice:\n    command: ["true"]\n    schedule: { daily: "06:00" }\n  nightly:\n    command: ["true"]\n    schedule: { daily: "08:00" }\n'),
    );
    const taken = await other('sync');
    assert.equal(taken.code, 2);
    assert.match(taken.stderr, /nightly: jobnet:nightly belongs to the catalog "default"/);
    assert.equal((await client.schedule.getHandle('jobnet:nightly').describe()).info.createdAt.getTime(), first);
    // Its own Schedules go when it has none left; the first catalog's stay.
    writeFileSync(second, 'version: 1\nname: billing\n');
    const emptied = await other('sync');
    assert.equal(emptied.stdout, ['- jobnet:_refresh.billing', '- jobnet:invoice', ''].join('\n'));
    assert.match((await cli('sync')).stdout, /^no changes/);
  });

  it('a fired schedule runs the job as <job>@<business date>, once per date', async () => {
    const today = businessDateAt(new Date(), 'Asia/Tokyo');
    const handle = client.schedule.getHandle('jobnet:nightly');
    await handle.trigger();
    const run = client.workflow.getHandle(`nightly@${today}`);
    await waitFor(async () => (await run.describe().catch(() => undefined))?.status.name === 'COMPLETED', 30_000);
    // A second fire on the same business date finds the run and starts nothing.
    await handle.trigger();
    await waitFor(async () => (await handle.describe()).info.recentActions.length >= 2, 30_000);
    // By run id: two fires in the same second get the same workflow id (Temporal appends the
    // fire time in whole seconds), and the id alone would name the later run twice.
    const parents = (await handle.describe()).info.recentActions.map(({ action }) =>
      client.workflow.getHandle(action.workflow.workflowId, action.workflow.firstExecutionRunId),
    );
    const outcomes = await Promise.all(parents.map((parent) => parent.result() as Promise<{ outcome: string; workflowId: string }>));
    assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['already-ran', 'ran']);
    assert.ok(outcomes.every((o) => o.workflowId === `nightly@${today}`));
  });

  it('a schedule that fires several times a day runs each fire as <job>@<date>T<HHMM> (<HHMMSS> off the whole minute)', async () => {
    const handle = client.schedule.getHandle('jobnet:quarter-hourly');
    await handle.trigger();
    await waitFor(async () => (await handle.describe()).info.recentActions.length >= 1, 30_000);
    const parent = client.workflow.getHandle((await handle.describe()).info.recentActions[0]!.action.workflow.workflowId);
    const outcome = (await parent.result()) as { outcome: string; workflowId: string };
    assert.equal(outcome.outcome, 'ran');
    assert.match(outcome.workflowId, /^quarter-hourly@\d{4}-\d{2}-\d{2}T\d{4}(\d{2})?$/);
  });

  it('a scheduled jobnet fires as <jobnet>@<business date> and runs its steps', async () => {
    const today = businessDateAt(new Date(), 'Asia/Tokyo');
    const handle = client.schedule.getHandle('jobnet:chain');
    await handle.trigger();
    const run = client.workflow.getHandle(`chain@${today}`);
    await waitFor(async () => (await run.describe().catch(() => undefined))?.status.name === 'COMPLETED', 60_000);
    const result = (await run.result()) as { status: string; steps: Record<string, { status: string }> };
    assert.equal(result.status, 'success');
    assert.deepEqual(Object.fromEntries(Object.entries(result.steps).map(([step, state]) => [step, state.status])), {
      first: 'succeeded',
      second: 'succeeded',
    });
  });

  it('backfill starts one run per business date in the range', async () => {
    // weekly fires Sundays 03:00 New York time, which is Sunday afternoon in Tokyo, the catalog's zone.
    const result = await cli('backfill', 'weekly', '--from', '2026-11-01', '--to', '2026-11-14');
    assert.equal(result.code, 0, result.stderr);
    for (const date of ['2026-11-01', '2026-11-08']) {
      const run = client.workflow.getHandle(`weekly@${date}`);
      await waitFor(async () => (await run.describe().catch(() => undefined))?.status.name === 'COMPLETED', 30_000);
    }
    const actions = (await client.schedule.getHandle('jobnet:weekly').describe()).info.recentActions;
    assert.deepEqual(
      actions.map((a) => a.scheduledAt.toISOString()),
      ['2026-11-01T08:00:00.000Z', '2026-11-08T08:00:00.000Z'],
    );
  });

  it("a non-default dayBoundary names the run's business date: a 02:00 fire with the day starting at 05:00 runs for the day before", async () => {
    // Its own catalog, as sync would compile it; created under an id sync does not own, so the main catalog's sync leaves it alone.
    const boundary = parseCatalog(
      [
        'version: 1',
        'timezone: Asia/Tokyo',
        'dayBoundary: "05:00"',
        'jobs:',
        '  late-night:',
        '    command: [sh, -c, \'echo "date=$JOBNET_BUSINESS_DATE"\']',
        '    schedule: { daily: "02:00" }',
      ].join('\n'),
      'day-boundary.yaml',
    );
    const desired = catalogSchedules(boundary, new Date(), 'day-boundary.yaml').desired.find((schedule) => schedule.name === 'late-night')!;
    const handle = await client.schedule.create({ ...desired.options, scheduleId: 'day-boundary-test', state: { paused: true } });
    // The fire of 2026-11-10 02:00 in Tokyo (17:00 UTC the day before).
    await handle.backfill({ start: new Date('2026-11-09T16:59:00Z'), end: new Date('2026-11-09T17:01:00Z'), overlap: 'ALLOW_ALL' });
    await waitFor(async () => (await handle.describe()).info.recentActions.length >= 1, 30_000);
    const [fired] = (await handle.describe()).info.recentActions;
    assert.equal(fired!.scheduledAt.toISOString(), '2026-11-09T17:00:00.000Z');
    const parent = client.workflow.getHandle(fired!.action.workflow.workflowId, fired!.action.workflow.firstExecutionRunId);
    const outcome = (await parent.result()) as { outcome: string; workflowId: string; result: { status: string; output: string; businessDate: string } };
    assert.equal(outcome.workflowId, 'late-night@2026-11-09', 'before 05:00 the business day is still the 9th');
    assert.equal(outcome.result.status, 'success');
    assert.equal(outcome.result.businessDate, '2026-11-09');
    assert.match(outcome.result.output, /^date=2026-11-09$/m, 'the command was told the same date');
    await assert.rejects(client.workflow.getHandle('late-night@2026-11-10').describe(), 'no run for the calendar date');
    await handle.delete();
  });

  it('disable and enable edit the catalog and sync', async () => {
    const disabled = await cli('disable', 'weekly');
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(readFileSync(catalog, 'utf8'), /weekly:\n(.*\n)*?\s+enabled: false/);
    assert.equal((await client.schedule.getHandle('jobnet:weekly').describe()).state.paused, true);
    const enabled = await cli('enable', 'weekly');
    assert.equal(enabled.code, 0, enabled.stderr);
    assert.equal((await client.schedule.getHandle('jobnet:weekly').describe()).state.paused, false);
  });

  it('the daily refresh Schedule re-syncs the catalog by itself', async () => {
    writeFileSync(catalog, readFileSync(catalog, 'utf8').replace('cron: "0 3 * * *"', 'cron: "0 4 * * *"'));
    const refresh = client.schedule.getHandle('jobnet:_refresh');
    const before = (await refresh.describe()).info.recentActions.length;
    await refresh.trigger();
    await waitFor(async () => (await refresh.describe()).info.recentActions.length > before, 30_000);
    const action = (await refresh.describe()).info.recentActions.at(-1)!;
    const result = (await client.workflow.getHandle(action.action.workflow.workflowId).result()) as { updated: string[]; created: string[]; deleted: string[] };
    assert.deepEqual(result, { catalogFile: catalog, created: [], updated: ['jobnet:nightly'], deleted: [] });
    const nightly = await client.schedule.getHandle('jobnet:nightly').describe();
    assert.deepEqual(nightly.spec.calendars?.[0]?.hour, [{ start: 4, end: 4, step: 1 }]);
    assert.match((await cli('sync')).stdout, /^no changes/);
  });

  it('list shows a failed run as error with 1 consecutive failure', async () => {
    assert.equal((await cli('run', 'failing', '--date', '2026-12-01', '--wait')).code, 1);
    let failing: { lastStatus: string | null; consecutiveFailures: number; kind: string } | undefined;
    for (let i = 0; i < 50 && failing?.lastStatus !== 'error'; i++) {
      const list = await cli('--json', 'list');
      assert.equal(list.code, 0, list.stderr);
      failing = (JSON.parse(list.stdout) as Array<{ name: string; lastStatus: string | null; consecutiveFailures: number; kind: string }>).find(
        (e) => e.name === 'failing',
      );
      if (failing?.lastStatus !== 'error') await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(failing?.kind, 'command');
    assert.equal(failing?.lastStatus, 'error');
    assert.equal(failing?.consecutiveFailures, 1);
  });

  it('a schedule firing every 20 s (interval: 20) runs every fire, also two in the same minute', async () => {
    const before = readFileSync(catalog, 'utf8');
    writeFileSync(catalog, before.replace('jobnets:\n', '  every-20s:\n    command: ["true"]\n    schedule: { interval: 20, overlap: allow }\njobnets:\n'));
    try {
      const synced = await cli('sync');
      assert.equal(synced.code, 0, synced.stderr);
      const handle = client.schedule.getHandle('jobnet:every-20s');
      // Three fires in a row: two of them always fall in one minute (:00/:20/:40).
      await waitFor(async () => (await handle.describe()).info.recentActions.length >= 3, 120_000);
      const actions = (await handle.describe()).info.recentActions.slice(0, 3);
      const minutes = actions.map((action) => action.scheduledAt.toISOString().slice(0, 16));
      assert.ok(new Set(minutes).size < minutes.length, `two fires in one minute: ${minutes.join(', ')}`);
      const outcomes = await Promise.all(
        actions.map(
          ({ action }) =>
            client.workflow.getHandle(action.workflow.workflowId, action.workflow.firstExecutionRunId).result() as Promise<{
              outcome: string;
              workflowId: string;
            }>,
        ),
      );
      assert.deepEqual(
        outcomes.map((outcome) => outcome.outcome),
        ['ran', 'ran', 'ran'],
        JSON.stringify(outcomes),
      );
      assert.equal(new Set(outcomes.map((outcome) => outcome.workflowId)).size, 3, JSON.stringify(outcomes));
      for (const outcome of outcomes) assert.match(outcome.workflowId, /^every-20s@\d{4}-\d{2}-\d{2}T\d{4}(20|40)?$/);
    } finally {
      writeFileSync(catalog, before);
      await cli('sync');
    }
  });
});
