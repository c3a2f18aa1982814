/**
 * Offline planning equals the server: compiled schedules are created on a real Temporal dev
 * server (paused, with an action that could not run anyway), and the server's own
 * `info.nextActionTimes` must be exactly the list `upcomingRuns` computes without it — across
 * business calendars (with a company holiday and a working Saturday in the next days), weekly
 * lists, the 31st, an interval, cron's "either day" rule, New York's DST changes, business-day
 * rules and holiday shifts. And a catalog with bad business-day rules changes nothing there.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection, ScheduleNotFoundError } from '@temporalio/client';
import { businessDateAt } from '../src/time/business-date';
import { calendarSchema, isBusinessDay } from '../src/catalog/schema/calendar-schema';
import { scheduleSchema, type ScheduleInput } from '../src/catalog/schema/schedule-schema';
import { compileSchedule } from '../src/schedules/compile';
import { upcomingRuns } from '../src/schedules/upcoming';
import { addDays, weekdayOf } from '../src/time/plain-date';
import { freePort, startDevServer, type DevServer } from '../scripts/servers';
import { jobnet } from './helpers/cli';
import { tempDir } from './helpers/fs';
import { jobnetClient } from '../src/temporal/client';
import { scheduleIdOf } from '../src/sync/owned';

const CATALOG_ZONE = 'Asia/Tokyo';
const ACTION = { type: 'startWorkflow', workflowType: 'noop', taskQueue: 'none', args: [] } as const;

/**
 * jp-business as in DESIGN.md, plus two dates chosen from today so the next ten runs always
 * include a company holiday on a weekday and a working Saturday, whatever day the test runs.
 */
function jpBusinessAroundToday() {
  const today = businessDateAt(new Date(), CATALOG_ZONE);
  const plain = calendarSchema.parse({ holidays: 'jp' });
  let holiday = addDays(today, 2);
  while (!isBusinessDay(plain, holiday)) holiday = addDays(holiday, 1);
  let saturday = addDays(today, 1);
  while (weekdayOf(saturday) !== 6) saturday = addDays(saturday, 1);
  const calendar = calendarSchema.parse({
    weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
    holidays: 'jp',
    extraHolidays: ['2026-12-31', '2027-01-02', '2027-01-03', holiday].filter((date, index, all) => all.indexOf(date) === index),
    extraWorkdays: [saturday],
  });
  return { calendar, holiday, saturday };
}

const SCHEDULES: Record<string, ScheduleInput> = {
  'cron-jp-business': { cron: '0 3 * * *', calendar: 'jp-business' },
  'daily-0200': { daily: '02:00' },
  'weekly-mon-wed-fri': { weekly: 'mon,wed,fri 03:00' },
  'monthly-31st': { monthly: '31 04:00' },
  'interval-90m': { interval: '90m' },
  'interval-6h-jp-business': { interval: '6h', calendar: 'jp-business' },
  'cron-1st-or-monday': { cron: '0 3 1 * mon' },
  'new-york-daily': { daily: '03:00', timezone: 'America/New_York' },
  // Every first Sunday of November has two 01:30s in New York; the server fires at both.
  'new-york-fall-back': { cron: '30 1 * nov sun', timezone: 'America/New_York' },
  // The second Sunday of March has no 02:30 in New York; the server skips it.
  'new-york-spring-forward': { cron: '30 2 * mar sun', timezone: 'America/New_York' },
  // Business-day rules: one dated entry a month.
  'business-day-last': { businessDay: -1, at: '22:00', calendar: 'jp-business' },
  'business-day-3rd': { businessDay: 3, at: '04:00', calendar: 'jp-business' },
  // Holiday shifts: dated entries for the moved fires, next to the weekday pattern and the skips.
  'monthly-1st-next': { monthly: '1 09:00', calendar: 'jp-business', holidayShift: 'next' },
  'monthly-1st-previous': { monthly: '1 09:00', calendar: 'jp-business', holidayShift: 'previous' },
  'weekly-mon-tue-next': { weekly: 'mon,tue 09:00', calendar: 'jp-business', holidayShift: 'next' },
  'weekly-fri-previous': { weekly: 'fri 18:00', calendar: 'jp-business', holidayShift: 'previous' },
  // With dayBoundary 05:00 a 02:00 fire is the day before's: skips and workdays move with it.
  'daily-0200-jp-business-boundary-0500': { daily: '02:00', calendar: 'jp-business' },
  'cron-jp-business-boundary-0330': { cron: '*/30 3-4 * * *', calendar: 'jp-business' },
};

/** The catalog's dayBoundary for a schedule above; "00:00" for the others. */
const DAY_BOUNDARIES: Record<string, string> = { 'daily-0200-jp-business-boundary-0500': '05:00', 'cron-jp-business-boundary-0330': '03:30' };

let work: ReturnType<typeof tempDir>;
let server: DevServer;
let client: Client;

before(async () => {
  work = tempDir('schedules');
  server = await startDevServer({ dbFile: path.join(work.dir, 'temporal.db'), port: await freePort(), stdio: 'ignore' });
  client = jobnetClient(await Connection.connect({ address: server.address }));
});

after(async () => {
  await client?.connection.close();
  await server?.kill();
  work?.cleanup();
});

const iso = (dates: readonly Date[]) => dates.map((date) => date.toISOString());

describe('offline upcoming runs equal the server’s nextActionTimes', () => {
  const { calendar, holiday, saturday } = jpBusinessAroundToday();
  const calendars = { 'jp-business': calendar };

  for (const [id, input] of Object.entries(SCHEDULES)) {
    it(`${id}: ${JSON.stringify(input)}`, async () => {
      const schedule = scheduleSchema.parse(input);
      const dayBoundary = DAY_BOUNDARIES[id] ?? '00:00';
      const compiled = compileSchedule(schedule, { timezone: CATALOG_ZONE, calendars, dayBoundary, now: new Date() });
      // The server lists times after the instant its schedule workflow first ran, somewhere
      // between these two; both offline lists must agree, unless a fire time fell in between.
      const beforeCreate = new Date();
      const handle = await client.schedule.create({
        scheduleId: id,
        action: ACTION,
        spec: compiled.spec,
        policies: compiled.policies,
        state: { paused: true },
      });
      const description = await handle.describe();
      const fromNow = new Date();

      const serverTimes = iso(description.info.nextActionTimes);
      assert.equal(serverTimes.length, 10, `the dev server lists 10 next times; got ${JSON.stringify(serverTimes)}`);
      const offline = iso(upcomingRuns(schedule, { timezone: CATALOG_ZONE, calendars, dayBoundary, from: fromNow, count: serverTimes.length }));
      const offlineAtCreate = iso(upcomingRuns(schedule, { timezone: CATALOG_ZONE, calendars, dayBoundary, from: beforeCreate, count: serverTimes.length }));
      if (JSON.stringify(offline) === JSON.stringify(offlineAtCreate)) {
        assert.deepEqual(serverTimes, offline);
      } else {
        // A fire time landed inside the few milliseconds of create + describe: the server's
        // list is the one of the instant it started from, either side of that time.
        assert.ok(
          [JSON.stringify(offline), JSON.stringify(offlineAtCreate)].includes(JSON.stringify(serverTimes)),
          `server ${JSON.stringify(serverTimes)}\noffline ${JSON.stringify(offline)}\nat create ${JSON.stringify(offlineAtCreate)}`,
        );
      }
      // The skip list reached the server intact (it would fire on holidays otherwise), and so
      // did the dated entries of business-day rules and moved fires.
      assert.equal(description.spec.skip?.length ?? 0, compiled.spec.skip?.length ?? 0);
      assert.equal(description.spec.calendars?.length ?? 0, compiled.spec.calendars?.length ?? 0);
      assert.equal(description.state.paused, true);

      if (id === 'cron-jp-business' || id === 'daily-0200-jp-business-boundary-0500') {
        const dates = offline.map((time) => businessDateAt(new Date(time), CATALOG_ZONE, dayBoundary));
        assert.ok(dates.includes(saturday), `the working Saturday ${saturday} runs: ${dates.join(', ')}`);
        assert.ok(!dates.includes(holiday), `the company holiday ${holiday} does not: ${dates.join(', ')}`);
      }
      if (id === 'new-york-fall-back') {
        const wallClock = offline.map((time) => businessDateAt(new Date(time), 'America/New_York'));
        assert.ok(
          wallClock.some((date, index) => date === wallClock[index + 1]),
          `a date with two runs: ${wallClock.join(', ')}`,
        );
      }
    });
  }
});

describe('bad business-day rules', () => {
  it('sync refuses the catalog with exit 2, each problem with its path and line, and changes nothing on the server', async () => {
    // Described one by one: a listing would be eventually consistent, a describe is not.
    const existing = async (names: string[]) => {
      const found: string[] = [];
      for (const name of names) {
        const exists = await client.schedule
          .getHandle(scheduleIdOf(name))
          .describe()
          .then(
            () => true,
            (error: unknown) => (error instanceof ScheduleNotFoundError ? false : Promise.reject(error)),
          );
        if (exists) found.push(name);
      }
      return found;
    };
    // The broken fixture plus a good schedule, which must not be created either.
    const broken = readFileSync(path.join(__dirname, 'fixtures', 'catalogs', 'broken', '37-business-day-rules.yaml'), 'utf8');
    const file = path.join(work.dir, 'bad-business-days.yaml');
    writeFileSync(file, `${broken}  fine:\n    command: [node, fine.js]\n    schedule: { businessDay: 1, at: "04:00", calendar: jp-business }\n`);
    const names = ['zeroth', 'twenty-fifth', 'sideways', 'shift-without-calendar', 'with-cron', 'without-calendar', 'fine'];
    assert.deepEqual(await existing(names), []);

    const result = await jobnet('-c', file, '--address', server.address, 'sync');
    assert.equal(result.code, 2, result.stdout + result.stderr);
    for (const expected of [
      /line 8: jobs\.zeroth\.schedule\.businessDay: businessDay 0 is out of range/,
      /line 11: jobs\.twenty-fifth\.schedule\.businessDay: businessDay 25 is out of range/,
      /line 14: jobs\.sideways\.schedule\.holidayShift: "sideways" is not a holiday shift/,
      /line 17: jobs\.shift-without-calendar\.schedule\.holidayShift: holidayShift moves runs off the non-business days of a calendar/,
      /line 20: jobs\.with-cron\.schedule: a schedule takes exactly one of .*; this one has cron and businessDay/,
      /line 23: jobs\.without-calendar\.schedule: a businessDay rule counts the business days of a calendar/,
    ]) {
      assert.match(result.stderr, expected);
    }
    assert.deepEqual(await existing(names), []);
  });
});
