/**
 * Compiling schedules into Temporal specs and planning their runs offline: the New-Year
 * acceptance of jp-business, how calendars are expressed (weekday narrowing, whole-day skips
 * up to a horizon, an entry of its own for a working Saturday), determinism for `sync`, and
 * the server's own rules for DST that the offline evaluator reproduces.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { businessDateAt } from '../src/time/business-date';
import { calendarSchema, isBusinessDay, type Calendar, type CalendarInput } from '../src/catalog/schema/calendar-schema';
import { scheduleSchema, type ScheduleInput } from '../src/catalog/schema/schedule-schema';
import { InvalidInputError } from '../src/validation/validation-error';
import { compileSchedule, scheduleHorizon } from '../src/schedules/compile';
import { SpecEvaluator } from '../src/schedules/spec-evaluator';
import { upcomingRuns } from '../src/schedules/upcoming';

const JP_BUSINESS: CalendarInput = {
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  holidays: 'jp',
  extraHolidays: ['2026-12-31', '2027-01-02', '2027-01-03'],
};
const calendars = (extra: Partial<CalendarInput> = {}): Record<string, Calendar> => ({ 'jp-business': calendarSchema.parse({ ...JP_BUSINESS, ...extra }) });
const parse = (input: ScheduleInput) => scheduleSchema.parse(input);
const NEW_YEAR_PLANNING = new Date('2026-12-28T00:00:00+09:00');

/** Fire times as Tokyo wall clock, which is how the expectations are written. */
const iso = (dates: Date[]) => dates.map((date) => date.toISOString());
const tokyo = (dates: Date[]) => dates.map((date) => new Date(date.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' '));

describe('New Year with jp-business (acceptance)', () => {
  const schedule = parse({ cron: '0 3 * * *', calendar: 'jp-business' });

  it('plans the next 10 runs from 2026-12-28 00:00 JST around the holidays', () => {
    const runs = upcomingRuns(schedule, { timezone: 'Asia/Tokyo', calendars: calendars(), from: NEW_YEAR_PLANNING, count: 10 });
    assert.deepEqual(tokyo(runs), [
      '2026-12-28 03:00',
      '2026-12-29 03:00',
      '2026-12-30 03:00',
      // 12-31 company holiday, 01-01 New Year's Day, 01-02/03 weekend
      '2027-01-04 03:00',
      '2027-01-05 03:00',
      '2027-01-06 03:00',
      '2027-01-07 03:00',
      '2027-01-08 03:00',
      // 01-09/10 weekend, 01-11 Coming of Age Day
      '2027-01-12 03:00',
      '2027-01-13 03:00',
    ]);
    assert.equal(runs[0]!.toISOString(), '2026-12-27T18:00:00.000Z');
  });

  it('compiles to Monday–Friday at 03:00 Tokyo, skipping the holidays that would fire', () => {
    const { spec, horizon } = compileSchedule(schedule, { timezone: 'Asia/Tokyo', calendars: calendars(), now: NEW_YEAR_PLANNING });
    assert.equal(spec.timezone, 'Asia/Tokyo');
    assert.deepEqual(spec.calendars, [{ dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY', step: 1 }], hour: [3], minute: [0] }]);
    assert.equal(spec.cronExpressions, undefined);
    const skipped = (spec.skip ?? []).map((entry) => `${entry.year}-${entry.month} ${entry.dayOfMonth}: ${entry.comment}`);
    assert.deepEqual(skipped.slice(0, 4), [
      '2026-DECEMBER 31: jp-business: extra holiday',
      "2027-JANUARY 1: jp-business: New Year's Day",
      // 2027-01-02/03 are extra holidays too, but a weekend: the narrowed weekdays never fire there.
      '2027-JANUARY 11: jp-business: Coming of Age Day',
      '2027-FEBRUARY 11: jp-business: National Foundation Day',
    ]);
    // A whole day: every hour, minute and second of it.
    assert.deepEqual(spec.skip![0], {
      year: 2026,
      month: 'DECEMBER',
      dayOfMonth: 31,
      hour: '*',
      minute: '*',
      second: '*',
      comment: 'jp-business: extra holiday',
    });
    // No skip for a holiday on a weekend (2027-03-21 is a Sunday), one for its substitute.
    assert.ok(!skipped.some((entry) => entry.startsWith('2027-MARCH 21:')));
    assert.ok(skipped.includes('2027-MARCH 22: jp-business: Holiday in lieu'));
    assert.deepEqual(horizon, { from: '2026-12-01', to: '2028-02-29' });
    const last = spec.skip![spec.skip!.length - 1]!;
    assert.ok(`${last.year}` === '2028' && (last.month === 'JANUARY' || last.month === 'FEBRUARY'), JSON.stringify(last));
  });
});

describe('business calendars in the spec', () => {
  it('a working Saturday gets a calendar entry of its own, with the schedule’s time', () => {
    const schedule = parse({ cron: '0,30 9-10 * * *', calendar: 'jp-business' });
    const { spec } = compileSchedule(schedule, { timezone: 'Asia/Tokyo', calendars: calendars({ extraWorkdays: ['2027-01-09'] }), now: NEW_YEAR_PLANNING });
    assert.deepEqual(spec.calendars, [
      { dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY', step: 1 }], hour: [{ start: 9, end: 10, step: 1 }], minute: [0, 30] },
      { year: 2027, month: 'JANUARY', dayOfMonth: 9, hour: [{ start: 9, end: 10, step: 1 }], minute: [0, 30], comment: 'jp-business: extra workday' },
    ]);
    const runs = upcomingRuns(schedule, {
      timezone: 'Asia/Tokyo',
      calendars: calendars({ extraWorkdays: ['2027-01-09'] }),
      from: new Date('2027-01-08T10:00:00+09:00'),
      count: 6,
    });
    assert.deepEqual(tokyo(runs), ['2027-01-08 10:30', '2027-01-09 09:00', '2027-01-09 09:30', '2027-01-09 10:00', '2027-01-09 10:30', '2027-01-12 09:00']);
  });

  it('an extra workday on a national holiday needs no entry: it is simply not skipped', () => {
    const schedule = parse({ daily: '03:00', calendar: 'jp-business' });
    const options = { timezone: 'Asia/Tokyo', from: new Date('2027-01-08T12:00:00+09:00'), count: 2 };
    assert.deepEqual(tokyo(upcomingRuns(schedule, { ...options, calendars: calendars() })), ['2027-01-12 03:00', '2027-01-13 03:00']);
    assert.deepEqual(tokyo(upcomingRuns(schedule, { ...options, calendars: calendars({ extraWorkdays: ['2027-01-11'] }) })), [
      '2027-01-11 03:00',
      '2027-01-12 03:00',
    ]);
  });

  it('weekly on Saturday with a Monday–Friday calendar fires only on working Saturdays', () => {
    const saturday = parse({ weekly: 'sat 03:00', calendar: 'jp-business' });
    const withWorkday = { timezone: 'Asia/Tokyo', calendars: calendars({ extraWorkdays: ['2027-01-09'] }), from: NEW_YEAR_PLANNING, count: 3 };
    assert.deepEqual(tokyo(upcomingRuns(saturday, withWorkday)), ['2027-01-09 03:00']);
    // A Sunday schedule does not fire on a working Saturday: that is not one of its days.
    const sunday = parse({ weekly: 'sun 03:00', calendar: 'jp-business' });
    assert.deepEqual(compileSchedule(sunday, { ...withWorkday, now: NEW_YEAR_PLANNING }).spec.calendars, []);
    assert.deepEqual(upcomingRuns(sunday, withWorkday), []);
  });

  it('an interval cannot be narrowed by weekday, so every non-business day that would fire is skipped', () => {
    const schedule = parse({ interval: '6h', calendar: 'jp-business' });
    const { spec } = compileSchedule(schedule, { timezone: 'Asia/Tokyo', calendars: calendars(), now: NEW_YEAR_PLANNING });
    assert.deepEqual(spec.intervals, [{ every: 21_600_000, offset: 0 }]);
    assert.equal(spec.calendars, undefined);
    const skipped = (spec.skip ?? []).map((entry) => `${entry.month} ${entry.dayOfMonth}: ${entry.comment}`);
    assert.ok(skipped.includes('JANUARY 2: jp-business: extra holiday'));
    assert.ok(skipped.includes('JANUARY 9: jp-business: not a business weekday (sat)'));
    // Every 6 h from the epoch: 03, 09, 15 and 21 o'clock in Tokyo.
    const runs = upcomingRuns(schedule, { timezone: 'Asia/Tokyo', calendars: calendars(), from: new Date('2027-01-08T12:00:00+09:00'), count: 4 });
    assert.deepEqual(tokyo(runs), ['2027-01-08 15:00', '2027-01-08 21:00', '2027-01-12 03:00', '2027-01-12 09:00']);
  });

  it('a calendar the catalog does not have is bad input, not a silent no-op', () => {
    const schedule = parse({ daily: '03:00', calendar: 'jp-busines' });
    assert.throws(
      () => compileSchedule(schedule, { timezone: 'Asia/Tokyo', calendars: calendars(), now: NEW_YEAR_PLANNING }),
      (error: unknown) => error instanceof InvalidInputError && /unknown calendar "jp-busines"; the catalog has jp-business/.test(error.problems[0]!.message),
    );
  });
});

describe('compiled forms without a calendar', () => {
  const compile = (input: ScheduleInput, timezone = 'Asia/Tokyo') => compileSchedule(parse(input), { timezone, calendars: {}, now: NEW_YEAR_PLANNING });

  it('daily, weekly, monthly, cron and interval become structured calendars or intervals in the zone', () => {
    assert.deepEqual(compile({ daily: '02:00' }).spec, { timezone: 'Asia/Tokyo', calendars: [{ hour: [2], minute: [0] }] });
    assert.deepEqual(compile({ weekly: 'mon,wed,fri 03:00' }).spec.calendars, [{ dayOfWeek: ['MONDAY', 'WEDNESDAY', 'FRIDAY'], hour: [3], minute: [0] }]);
    assert.deepEqual(compile({ monthly: '31 04:00' }).spec.calendars, [{ dayOfMonth: [31], hour: [4], minute: [0] }]);
    assert.deepEqual(compile({ cron: '*/20 8-18 * jan,jul 1-5' }).spec.calendars, [
      { month: ['JANUARY', 'JULY'], dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY', step: 1 }], hour: [{ start: 8, end: 18, step: 1 }], minute: [0, 20, 40] },
    ]);
    assert.deepEqual(compile({ interval: '90m' }).spec, { timezone: 'Asia/Tokyo', intervals: [{ every: 5_400_000, offset: 0 }] });
    assert.deepEqual(compile({ daily: '03:00', timezone: 'America/New_York' }).spec.timezone, 'America/New_York');
    assert.equal(compile({ daily: '03:00' }).horizon, null);
  });

  it('cron with both day fields restricted fires on either (two calendars), as cron(8) does', () => {
    const { spec } = compile({ cron: '0 3 1 * mon' });
    assert.deepEqual(spec.calendars, [
      { dayOfMonth: [1], hour: [3], minute: [0] },
      { dayOfWeek: ['MONDAY'], hour: [3], minute: [0] },
    ]);
    const runs = upcomingRuns(parse({ cron: '0 3 1 * mon' }), { timezone: 'Asia/Tokyo', calendars: {}, from: NEW_YEAR_PLANNING, count: 7 });
    // 2026-12-28 is a Monday; 2027-01-01 a Friday; 2027-02-01 both a Monday and the 1st (once).
    assert.deepEqual(tokyo(runs), [
      '2026-12-28 03:00',
      '2027-01-01 03:00',
      '2027-01-04 03:00',
      '2027-01-11 03:00',
      '2027-01-18 03:00',
      '2027-01-25 03:00',
      '2027-02-01 03:00',
    ]);
  });

  it('monthly on the 31st fires only in months that have one', () => {
    const runs = upcomingRuns(parse({ monthly: '31 04:00' }), { timezone: 'Asia/Tokyo', calendars: {}, from: new Date('2027-01-01T00:00:00+09:00'), count: 4 });
    assert.deepEqual(tokyo(runs), ['2027-01-31 04:00', '2027-03-31 04:00', '2027-05-31 04:00', '2027-07-31 04:00']);
  });

  it('policies and state: overlap, catch-up window, enabled, note', () => {
    const compiled = compile({ daily: '03:00', overlap: 'buffer', catchupWindow: '1h', enabled: false, note: 'paused for the migration' });
    assert.deepEqual(compiled.policies, { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: 3_600_000 });
    assert.deepEqual(compiled.state, { paused: true, note: 'paused for the migration' });
    assert.deepEqual(compile({ daily: '03:00' }).policies, { overlap: ScheduleOverlapPolicy.SKIP });
    assert.equal(compile({ daily: '03:00', overlap: 'allow' }).policies.overlap, ScheduleOverlapPolicy.ALLOW_ALL);
    assert.equal(compile({ daily: '03:00', overlap: 'cancel' }).policies.overlap, ScheduleOverlapPolicy.CANCEL_OTHER);
    assert.deepEqual(compile({ daily: '03:00' }).state, { paused: false });
  });
});

describe('determinism and the horizon', () => {
  const schedule = parse({ cron: '0 3 * * *', calendar: 'jp-business' });
  const at = (now: string) =>
    compileSchedule(schedule, { timezone: 'Asia/Tokyo', calendars: calendars({ extraWorkdays: ['2027-01-09'] }), now: new Date(now) });

  it('any day of one month compiles to the same spec, so a sync sees no change', () => {
    const early = at('2026-12-01T00:00:00+09:00');
    const late = at('2026-12-31T23:59:59+09:00');
    assert.deepEqual(late, early);
    assert.equal(JSON.stringify(late), JSON.stringify(early));
  });

  it('the next month moves the horizon, and with it the spec', () => {
    const december = at('2026-12-15T12:00:00+09:00');
    const january = at('2027-01-01T00:00:00+09:00');
    // 2026-12-31 + 400 days = 2028-02-04; 2027-01-31 + 400 days = 2028-03-06.
    assert.deepEqual(december.horizon, { from: '2026-12-01', to: '2028-02-29' });
    assert.deepEqual(january.horizon, { from: '2027-01-01', to: '2028-03-31' });
    assert.notDeepEqual(january.spec, december.spec);
  });

  it('scheduleHorizon uses the date in the zone and covers at least horizonDays ahead, by whole months', () => {
    // 2026-12-31T20:00Z is already 2027-01-01 in Tokyo, still 2026-12-31 in New York.
    const instant = new Date('2026-12-31T20:00:00Z');
    assert.deepEqual(scheduleHorizon(instant, 'Asia/Tokyo', 30), { from: '2027-01-01', to: '2027-03-31' });
    assert.deepEqual(scheduleHorizon(instant, 'America/New_York', 30), { from: '2026-12-01', to: '2027-01-31' });
    assert.deepEqual(scheduleHorizon(instant, 'America/New_York', 31), { from: '2026-12-01', to: '2027-01-31' });
    assert.deepEqual(scheduleHorizon(instant, 'America/New_York', 32), { from: '2026-12-01', to: '2027-02-28' });
    assert.throws(() => scheduleHorizon(instant, 'Asia/Tokyo', 0), RangeError);
  });

  it('past the horizon the server would fire on holidays again: the reason to re-sync', () => {
    const compiled = compileSchedule(schedule, { timezone: 'Asia/Tokyo', calendars: calendars(), now: new Date('2026-11-15T12:00:00+09:00'), horizonDays: 1 });
    assert.deepEqual(compiled.horizon, { from: '2026-11-01', to: '2026-12-31' });
    // 12-31 is inside the horizon and skipped; New Year's Day is past it and fires.
    const runs = new SpecEvaluator(compiled.spec).upcoming(NEW_YEAR_PLANNING, 5);
    assert.deepEqual(tokyo(runs), ['2026-12-28 03:00', '2026-12-29 03:00', '2026-12-30 03:00', '2027-01-01 03:00', '2027-01-04 03:00']);
  });
});

describe('offline evaluator: the server’s rules (checked against Temporal 1.29’s Go code)', () => {
  const runs = (spec: ConstructorParameters<typeof SpecEvaluator>[0], from: string, count: number) =>
    new SpecEvaluator(spec).upcoming(new Date(from), count).map((date) => date.toISOString());

  it('01:30 on a fall-back day in New York fires twice, once per copy of the hour', () => {
    assert.deepEqual(runs({ timezone: 'America/New_York', calendars: [{ hour: 1, minute: 30 }] }, '2026-10-31T12:00:00Z', 3), [
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('02:30 on a spring-forward day does not exist and does not fire', () => {
    assert.deepEqual(runs({ timezone: 'America/New_York', calendars: [{ hour: 2, minute: 30 }] }, '2026-03-07T12:00:00Z', 2), [
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('intervals count from the Unix epoch, plus the offset', () => {
    assert.deepEqual(runs({ intervals: [{ every: 5_400_000, offset: 0 }] }, '2026-12-28T00:10:00Z', 2), [
      '2026-12-28T01:30:00.000Z',
      '2026-12-28T03:00:00.000Z',
    ]);
    assert.deepEqual(runs({ intervals: [{ every: 5_400_000, offset: 600_000 }] }, '2026-12-28T00:10:00Z', 1), ['2026-12-28T01:40:00.000Z']);
  });

  it('a time exactly at `from` is not listed; the fraction of a second is dropped first', () => {
    assert.deepEqual(runs({ timezone: 'UTC', calendars: [{ hour: 3 }] }, '2027-01-01T03:00:00.000Z', 1), ['2027-01-02T03:00:00.000Z']);
    assert.deepEqual(runs({ timezone: 'UTC', calendars: [{ hour: 3 }] }, '2027-01-01T02:59:59.999Z', 1), ['2027-01-01T03:00:00.000Z']);
  });

  it('refuses what it does not model instead of guessing', () => {
    assert.throws(() => new SpecEvaluator({ cronExpressions: ['0 3 * * *'] }), /cron strings/);
    assert.throws(() => new SpecEvaluator({ calendars: [{ hour: 3 }], jitter: '1m' }), /jitter/);
    // The SDK reads { start: 5 } without `end` as 5..1, which the server rejects.
    assert.throws(() => new SpecEvaluator({ calendars: [{ hour: { start: 5 } }] }), /Hour End is before Start/);
  });
});

describe('compiled calendars fire exactly on the business days (against the plain schedule, filtered)', () => {
  const company = calendarSchema.parse({
    ...JP_BUSINESS,
    extraHolidays: [...(JP_BUSINESS.extraHolidays ?? []), '2027-02-03'],
    // Saturdays and a Sunday to work, and a national holiday (Foundation Day) to work as well.
    extraWorkdays: ['2027-01-09', '2027-01-23', '2027-01-31', '2027-02-11'],
  });
  const everyDay = calendarSchema.parse({ weekdays: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], extraHolidays: ['2027-11-08'] });
  const cases: Array<[ScheduleInput, Calendar, string, string?]> = [
    [{ daily: '03:00' }, company, '2026-12-20T00:00:00+09:00'],
    [{ cron: '0 3 1 * mon' }, company, '2026-12-20T00:00:00+09:00'],
    [{ cron: '*/30 9-10 * * *' }, company, '2026-12-20T00:00:00+09:00'],
    [{ weekly: 'sat,sun 10:00' }, company, '2026-12-20T00:00:00+09:00'],
    [{ monthly: '11 04:00' }, company, '2026-12-20T00:00:00+09:00'],
    [{ interval: '6h' }, company, '2026-12-20T00:00:00+09:00'],
    [{ interval: '1d' }, company, '2026-12-20T00:00:00+09:00'],
    [{ daily: '23:30', timezone: 'America/New_York' }, company, '2026-12-20T00:00:00+09:00'],
    // Across New York's fall-back (2027-11-07): both 01:30s stay; the 8th is a holiday.
    [{ daily: '01:30', timezone: 'America/New_York' }, everyDay, '2027-10-20T00:00:00-04:00'],
    // dayBoundary: a fire before it belongs to the previous business date — 02:00 on Saturday
    // is Friday's run, 02:00 on Monday is Sunday's, 02:00 after a holiday is the holiday's.
    [{ daily: '02:00' }, company, '2026-12-20T00:00:00+09:00', '05:00'],
    [{ cron: '*/20 4-6 * * *' }, company, '2026-12-20T00:00:00+09:00', '05:30'],
    [{ cron: '15 0,5,23 * * 1-5' }, company, '2026-12-20T00:00:00+09:00', '05:30'],
    [{ weekly: 'sat,sun 01:00' }, company, '2026-12-20T00:00:00+09:00', '05:00'],
    [{ interval: '6h' }, company, '2026-12-20T00:00:00+09:00', '05:00'],
    [{ interval: '45m' }, company, '2026-12-20T00:00:00+09:00', '00:30'],
    [{ daily: '01:30', timezone: 'America/New_York' }, everyDay, '2027-10-20T00:00:00-04:00', '02:00'],
  ];
  for (const [input, calendar, start, dayBoundary] of cases) {
    it(`${JSON.stringify(input)}${dayBoundary === undefined ? '' : ` dayBoundary ${dayBoundary}`}`, () => {
      const from = new Date(start);
      const until = from.getTime() + 75 * 86_400_000;
      const zone = input.timezone ?? 'Asia/Tokyo';
      const within = (dates: Date[]) => dates.filter((date) => date.getTime() < until);
      const options = { timezone: 'Asia/Tokyo', calendars: { cal: calendar }, from, count: 400, ...(dayBoundary === undefined ? {} : { dayBoundary }) };
      const plain = within(upcomingRuns(parse(input), options));
      const expected = plain.filter((date) => isBusinessDay(calendar, businessDateAt(date, zone, dayBoundary)));
      // A schedule firing often reaches its count before the 75 days: compare up to its last plain fire.
      const actual = within(upcomingRuns(parse({ ...input, calendar: 'cal' }), options)).filter((date) => date <= plain.at(-1)!);
      assert.ok(expected.length > 0 && expected.length < plain.length, `the case must drop some runs: ${plain.length} → ${expected.length}`);
      assert.deepEqual(iso(actual), iso(expected));
    });
  }
});
