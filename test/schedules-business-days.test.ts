/**
 * Business-day rules and holiday shifts, offline (issue 12's acceptance): `jobnet plan` over
 * 2026-12 … 2027-12 with the Japanese calendar and the company's New Year holidays (31 Dec,
 * 2–3 Jan). Every expected date below was worked out by hand from a wall calendar and Japan's
 * national holidays of 2027 (1 Jan, 11 Jan, 11 Feb, 23 Feb, 22 Mar in lieu of the Sunday 21st,
 * 29 Apr, 3–5 May, 19 Jul, 11 Aug, 20 Sep, 23 Sep, 11 Oct, 3 Nov, 23 Nov) — never computed
 * by the code under test. Weekdays to check against: 2026-12-01 is a Tuesday, 2027-01-01 a
 * Friday, 2027-05-01 a Saturday, 2027-08-01 a Sunday.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { calendarSchema, type Calendar } from '../src/catalog/schema/calendar-schema';
import { scheduleSchema, type ScheduleInput } from '../src/catalog/schema/schedule-schema';
import { compileSchedule } from '../src/schedules/compile';
import { SpecEvaluator } from '../src/schedules/spec-evaluator';
import { jobnet } from './helpers/cli';

const CATALOG = path.join(__dirname, 'fixtures', 'catalogs', 'business-days.yaml');

interface PlannedSchedule {
  name: string;
  schedule: string;
  nextRuns: string[];
}

/** Enough for a year of monthly runs; shorter lists are the first runs of it. */
const PLANNED_RUNS = 16;
const plans = new Map<string, Promise<PlannedSchedule[]>>();

/** `jobnet plan --json` of the fixture catalog, from a Tokyo wall-clock time (once per time: each plans every schedule). */
function plan(from: string): Promise<PlannedSchedule[]> {
  let planned = plans.get(from);
  if (!planned) {
    planned = jobnet('-c', CATALOG, '--json', 'plan', '--from', `${from.replace(' ', 'T')}:00+09:00`, '--next', String(PLANNED_RUNS)).then((result) => {
      assert.equal(result.code, 0, result.stderr);
      return (JSON.parse(result.stdout) as { schedules: PlannedSchedule[] }).schedules;
    });
    plans.set(from, planned);
  }
  return planned;
}

/** The first `count` runs `plan` lists for a schedule. */
async function runsOf(name: string, from: string, count: number): Promise<string[]> {
  const schedule = (await plan(from)).find((candidate) => candidate.name === name);
  assert.ok(schedule, `${name} is planned`);
  assert.ok(schedule.nextRuns.length >= Math.min(count, PLANNED_RUNS - 1), `${name} has only ${schedule.nextRuns.length} runs planned`);
  return schedule.nextRuns.slice(0, count);
}

/** The fire times of `dates` at one time of day, as `plan --json` writes them (Tokyo, +09:00). */
const at = (time: string, dates: string[]) => dates.map((date) => `${date}T${time}:00+09:00`);

/**
 * Plans from 2026-12-01 00:00 and keeps the runs of 2026-12 … 2027-12. (A businessDay rule
 * planned then has 15 runs: its dated entries end with the horizon, Feb 2028.)
 */
async function acceptanceYear(name: string): Promise<string[]> {
  const runs = await runsOf(name, '2026-12-01 00:00', PLANNED_RUNS);
  assert.ok(runs[runs.length - 1]! >= '2028-01-01', `${name}: the plan reaches 2028, so no run of 2027 is cut off`);
  return runs.filter((run) => run < '2028-01-01');
}

describe('plan: the Nth business day of every month, 2026-12 … 2027-12 (jp-business)', () => {
  it('the first business day: after New Year (1 Jan holiday, 2–3 Jan company holidays) and Golden Week (3–5 May)', async () => {
    assert.deepEqual(
      await acceptanceYear('first-business-day'),
      at('04:00', [
        '2026-12-01',
        '2027-01-04',
        '2027-02-01',
        '2027-03-01',
        '2027-04-01',
        '2027-05-06',
        '2027-06-01',
        '2027-07-01',
        '2027-08-02',
        '2027-09-01',
        '2027-10-01',
        '2027-11-01',
        '2027-12-01',
      ]),
    );
  });

  it('the third business day (payroll): weekends and Culture Day (3 Nov) are not counted', async () => {
    assert.deepEqual(
      await acceptanceYear('payroll'),
      at('04:00', [
        '2026-12-03',
        '2027-01-06',
        '2027-02-03',
        '2027-03-03',
        '2027-04-05',
        '2027-05-10',
        '2027-06-03',
        '2027-07-05',
        '2027-08-04',
        '2027-09-03',
        '2027-10-05',
        '2027-11-04',
        '2027-12-03',
      ]),
    );
  });

  it('the last business day (month-end close): 31 Dec 2026 is a company holiday, month ends on weekends', async () => {
    assert.deepEqual(
      await acceptanceYear('month-end-close'),
      at('22:00', [
        '2026-12-30',
        '2027-01-29',
        '2027-02-26',
        '2027-03-31',
        '2027-04-30',
        '2027-05-31',
        '2027-06-30',
        '2027-07-30',
        '2027-08-31',
        '2027-09-30',
        '2027-10-29',
        '2027-11-30',
        '2027-12-31',
      ]),
    );
  });

  it('the second to last business day: Showa Day (29 Apr) is not counted', async () => {
    assert.deepEqual(
      await acceptanceYear('second-to-last'),
      at('22:00', [
        '2026-12-29',
        '2027-01-28',
        '2027-02-25',
        '2027-03-30',
        '2027-04-28',
        '2027-05-28',
        '2027-06-29',
        '2027-07-29',
        '2027-08-30',
        '2027-09-29',
        '2027-10-28',
        '2027-11-29',
        '2027-12-30',
      ]),
    );
  });

  it('an extra workday on a Saturday counts: 1 May is the first of May, 31 July the last of July', async () => {
    assert.deepEqual(
      await acceptanceYear('first-with-saturday'),
      at('04:00', [
        '2026-12-01',
        '2027-01-04',
        '2027-02-01',
        '2027-03-01',
        '2027-04-01',
        '2027-05-01',
        '2027-06-01',
        '2027-07-01',
        '2027-08-02',
        '2027-09-01',
        '2027-10-01',
        '2027-11-01',
        '2027-12-01',
      ]),
    );
    assert.deepEqual(
      await acceptanceYear('close-with-saturday'),
      at('22:00', [
        '2026-12-30',
        '2027-01-29',
        '2027-02-26',
        '2027-03-31',
        '2027-04-30',
        '2027-05-31',
        '2027-06-30',
        '2027-07-31',
        '2027-08-31',
        '2027-09-30',
        '2027-10-29',
        '2027-11-30',
        '2027-12-31',
      ]),
    );
  });
});

describe('plan: holidayShift on monthly schedules, 2026-12 … 2027-12 (jp-business)', () => {
  it('skip (the default) drops the 1st when it is not a business day', async () => {
    assert.deepEqual(
      await acceptanceYear('first-skip'),
      at('09:00', ['2026-12-01', '2027-02-01', '2027-03-01', '2027-04-01', '2027-06-01', '2027-07-01', '2027-09-01', '2027-10-01', '2027-11-01', '2027-12-01']),
    );
  });

  it('next: 1 Jan → 4 Jan (past the company holidays), 1 May (Saturday) → 6 May (past Golden Week), 1 Aug (Sunday) → 2 Aug', async () => {
    assert.deepEqual(
      await acceptanceYear('first-next'),
      at('09:00', [
        '2026-12-01',
        '2027-01-04',
        '2027-02-01',
        '2027-03-01',
        '2027-04-01',
        '2027-05-06',
        '2027-06-01',
        '2027-07-01',
        '2027-08-02',
        '2027-09-01',
        '2027-10-01',
        '2027-11-01',
        '2027-12-01',
      ]),
    );
  });

  it('previous: 1 Jan 2027 → 30 Dec 2026 (across the year and the 31 Dec company holiday), 1 May → 30 Apr, 1 Aug → 30 Jul, 1 Jan 2028 → 31 Dec 2027', async () => {
    // 2028-01-01 is a Saturday: its fire moves back into 2027.
    assert.deepEqual(
      await acceptanceYear('first-previous'),
      at('09:00', [
        '2026-12-01',
        '2026-12-30',
        '2027-02-01',
        '2027-03-01',
        '2027-04-01',
        '2027-04-30',
        '2027-06-01',
        '2027-07-01',
        '2027-07-30',
        '2027-09-01',
        '2027-10-01',
        '2027-11-01',
        '2027-12-01',
        '2027-12-31',
      ]),
    );
  });

  it('next with a working Saturday: 1 May 2027 runs on the day itself', async () => {
    assert.deepEqual(
      await acceptanceYear('first-next-saturday'),
      at('09:00', [
        '2026-12-01',
        '2027-01-04',
        '2027-02-01',
        '2027-03-01',
        '2027-04-01',
        '2027-05-01',
        '2027-06-01',
        '2027-07-01',
        '2027-08-02',
        '2027-09-01',
        '2027-10-01',
        '2027-11-01',
        '2027-12-01',
      ]),
    );
  });

  it('the 22nd: the substitute holiday 22 Mar 2027 moves to the 23rd / the 19th; weekend 22nds to Monday / Friday', async () => {
    assert.deepEqual(
      await acceptanceYear('invoice-22-next'),
      at('09:00', [
        '2026-12-22',
        '2027-01-22',
        '2027-02-22',
        '2027-03-23',
        '2027-04-22',
        '2027-05-24',
        '2027-06-22',
        '2027-07-22',
        '2027-08-23',
        '2027-09-22',
        '2027-10-22',
        '2027-11-22',
        '2027-12-22',
      ]),
    );
    assert.deepEqual(
      await acceptanceYear('invoice-22-previous'),
      at('09:00', [
        '2026-12-22',
        '2027-01-22',
        '2027-02-22',
        '2027-03-19',
        '2027-04-22',
        '2027-05-21',
        '2027-06-22',
        '2027-07-22',
        '2027-08-20',
        '2027-09-22',
        '2027-10-22',
        '2027-11-22',
        '2027-12-22',
      ]),
    );
  });

  it('the 31st, next: into the next month (31 Jan → 1 Feb, 31 Jul → 2 Aug, 31 Oct → 1 Nov) and the next year (31 Dec 2026 → 4 Jan 2027)', async () => {
    assert.deepEqual(
      await acceptanceYear('month-31-next'),
      at('09:00', ['2027-01-04', '2027-02-01', '2027-03-31', '2027-05-31', '2027-08-02', '2027-08-31', '2027-11-01', '2027-12-31']),
    );
  });

  it('cron firing twice on the 1st: both times move together, once', async () => {
    assert.deepEqual(await runsOf('cron-twice-next', '2026-12-01 00:00', 6), [
      '2026-12-01T09:00:00+09:00',
      '2026-12-01T15:00:00+09:00',
      '2027-01-04T09:00:00+09:00',
      '2027-01-04T15:00:00+09:00',
      '2027-02-01T09:00:00+09:00',
      '2027-02-01T15:00:00+09:00',
    ]);
  });
});

describe('plan: holidayShift on weekly and daily schedules (jp-business)', () => {
  it('mon,tue next: a moved Monday never makes a second run on a Tuesday that has its own', async () => {
    // New Year: Mon 11 Jan (Coming of Age Day) → Tue 12 Jan, which runs anyway: once.
    assert.deepEqual(
      await runsOf('mon-tue-next', '2026-12-28 00:00', 6),
      at('09:00', ['2026-12-28', '2026-12-29', '2027-01-04', '2027-01-05', '2027-01-12', '2027-01-18']),
    );
    // Substitute holiday: Mon 22 Mar → Tue 23 Mar: once.
    assert.deepEqual(await runsOf('mon-tue-next', '2027-03-14 00:00', 5), at('09:00', ['2027-03-15', '2027-03-16', '2027-03-23', '2027-03-29', '2027-03-30']));
    // Golden Week: Mon 3 May and Tue 4 May both → Thu 6 May: once.
    assert.deepEqual(await runsOf('mon-tue-next', '2027-04-25 00:00', 5), at('09:00', ['2027-04-26', '2027-04-27', '2027-05-06', '2027-05-10', '2027-05-11']));
  });

  it('mon,tue previous: to the Friday before; two holidays moving to one day run there once', async () => {
    assert.deepEqual(
      await runsOf('mon-tue-previous', '2026-12-28 00:00', 7),
      at('09:00', ['2026-12-28', '2026-12-29', '2027-01-04', '2027-01-05', '2027-01-08', '2027-01-12', '2027-01-18']),
    );
    assert.deepEqual(
      await runsOf('mon-tue-previous', '2027-03-14 00:00', 5),
      at('09:00', ['2027-03-15', '2027-03-16', '2027-03-19', '2027-03-23', '2027-03-29']),
    );
    // Golden Week: Mon 3 May and Tue 4 May both → Fri 30 Apr (Thu 29 Apr is Showa Day), across the month.
    assert.deepEqual(await runsOf('mon-tue-previous', '2027-04-25 00:00', 4), at('09:00', ['2027-04-26', '2027-04-27', '2027-04-30', '2027-05-10']));
  });

  it('fri: New Year’s Day 2027 (a Friday) moves to Mon 4 Jan, or back across the year to Wed 30 Dec', async () => {
    assert.deepEqual(await runsOf('friday-next', '2026-12-20 00:00', 4), at('18:00', ['2026-12-25', '2027-01-04', '2027-01-08', '2027-01-15']));
    assert.deepEqual(await runsOf('friday-previous', '2026-12-20 00:00', 4), at('18:00', ['2026-12-25', '2026-12-30', '2027-01-08', '2027-01-15']));
  });

  it('daily next is daily on business days: every moved fire lands on a day that has its own', async () => {
    assert.deepEqual(
      await runsOf('daily-next', '2026-12-28 00:00', 10),
      at('03:00', ['2026-12-28', '2026-12-29', '2026-12-30', '2027-01-04', '2027-01-05', '2027-01-06', '2027-01-07', '2027-01-08', '2027-01-12', '2027-01-13']),
    );
  });
});

describe('plan shows the rules in words', () => {
  it('as text', async () => {
    const result = await jobnet('-c', CATALOG, 'plan', '--from', '2026-12-01T00:00:00+09:00', '--next', '1');
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    for (const line of [
      'job month-end-close: last business day of the month at 22:00 Asia/Tokyo (jp-business)',
      'job payroll: 3rd business day of the month at 04:00 Asia/Tokyo (jp-business)',
      'job second-to-last: 2nd to last business day of the month at 22:00 Asia/Tokyo (jp-business)',
      'job invoice-22-next: monthly on day 22 at 09:00 Asia/Tokyo, moved to the next business day when it is not one (jp-business)',
      'job friday-previous: weekly on fri at 18:00 Asia/Tokyo, moved to the previous business day when it is not one (jp-business)',
      'job first-skip: monthly on day 1 at 09:00 Asia/Tokyo, business days (jp-business)',
    ]) {
      assert.ok(lines.includes(line), `missing: ${line}\n${result.stdout}`);
    }
  });
});

describe('compiled specs', () => {
  const JP_BUSINESS: Calendar = calendarSchema.parse({ holidays: 'jp', extraHolidays: ['2026-12-31', '2027-01-02', '2027-01-03'] });
  const compile = (input: ScheduleInput, now: string, horizonDays?: number) =>
    compileSchedule(scheduleSchema.parse(input), { timezone: 'Asia/Tokyo', calendars: { 'jp-business': JP_BUSINESS }, now: new Date(now), horizonDays });
  const tokyo = (dates: Date[]) => dates.map((date) => new Date(date.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' '));

  it('a businessDay rule is one dated entry a month over the horizon, and nothing to skip', () => {
    const { spec, horizon } = compile({ businessDay: -1, at: '22:00', calendar: 'jp-business' }, '2026-12-28T00:00:00+09:00');
    assert.deepEqual(horizon, { from: '2026-12-01', to: '2028-02-29' });
    assert.equal(spec.skip, undefined);
    // Dec 2026 … Feb 2028: 15 months.
    assert.equal(spec.calendars?.length, 15);
    assert.deepEqual(spec.calendars?.slice(0, 2), [
      { year: 2026, month: 'DECEMBER', dayOfMonth: 30, hour: [22], minute: [0], comment: 'jp-business: business day -1' },
      { year: 2027, month: 'JANUARY', dayOfMonth: 29, hour: [22], minute: [0], comment: 'jp-business: business day -1' },
    ]);
  });

  it('a shifted fire is an entry of its own, saying where it comes from; the day it was due stays skipped', () => {
    const { spec } = compile({ monthly: '1 09:00', calendar: 'jp-business', holidayShift: 'next' }, '2026-12-28T00:00:00+09:00');
    assert.deepEqual(spec.calendars?.slice(0, 3), [
      { dayOfMonth: [1], dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY', step: 1 }], hour: [9], minute: [0] },
      { year: 2027, month: 'JANUARY', dayOfMonth: 4, hour: [9], minute: [0], comment: "jp-business: moved from 2027-01-01 (New Year's Day)" },
      { year: 2027, month: 'MAY', dayOfMonth: 6, hour: [9], minute: [0], comment: 'jp-business: moved from 2027-05-01 (not a business weekday (sat))' },
    ]);
    assert.ok((spec.skip ?? []).some((entry) => entry.year === 2027 && entry.month === 'JANUARY' && entry.dayOfMonth === 1));
  });

  it('a move from past the horizon into it is compiled: 1 Jan 2027 → 30 Dec 2026 with a horizon ending 31 Dec', () => {
    const { spec, horizon } = compile({ monthly: '1 09:00', calendar: 'jp-business', holidayShift: 'previous' }, '2026-11-15T12:00:00+09:00', 1);
    assert.deepEqual(horizon, { from: '2026-11-01', to: '2026-12-31' });
    assert.deepEqual(tokyo(new SpecEvaluator(spec).upcoming(new Date('2026-12-02T00:00:00+09:00'), 1)), ['2026-12-30 09:00']);
  });

  it('a move from before the horizon into it is compiled: 31 Dec 2026 → 4 Jan 2027 with a horizon starting 1 Jan', () => {
    const { spec, horizon } = compile({ monthly: '31 09:00', calendar: 'jp-business', holidayShift: 'next' }, '2027-01-01T00:00:00+09:00');
    assert.equal(horizon?.from, '2027-01-01');
    assert.deepEqual(tokyo(new SpecEvaluator(spec).upcoming(new Date('2027-01-01T00:00:00+09:00'), 2)), ['2027-01-04 09:00', '2027-02-01 09:00']);
  });

  it('any day of a month compiles to the same spec, so the daily refresh changes a Schedule once a month', () => {
    for (const input of [
      { businessDay: 3, at: '04:00', calendar: 'jp-business' },
      { weekly: 'mon,tue 09:00', calendar: 'jp-business', holidayShift: 'previous' },
    ] as const) {
      assert.deepEqual(compile(input, '2027-04-30T23:59:59+09:00'), compile(input, '2027-04-01T00:00:00+09:00'));
      assert.notDeepEqual(compile(input, '2027-05-01T00:00:00+09:00').spec, compile(input, '2027-04-30T23:59:59+09:00').spec);
    }
  });
});
