/**
 * The `schedule:` schema: each form parsed into `when`, each bad value reported at its path
 * with a message that names it, "neither" and "two forms" reported at the schedule itself.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scheduleSchema } from '../src/catalog/schema/schedule-schema';
import { problemsFromZod, type InputProblem } from '../src/validation/validation-error';
import { describeSchedule } from '../src/schedules/upcoming';

function problems(input: unknown): InputProblem[] {
  const result = scheduleSchema.safeParse(input);
  assert.equal(result.success, false, `should be rejected: ${JSON.stringify(input)}`);
  // As the catalog reports it: under the job's path.
  return problemsFromZod(result.error!, ['jobs', 'BATCH-001', 'schedule']);
}

function assertProblem(input: unknown, path: string, message: RegExp): void {
  const found = problems(input);
  assert.ok(
    found.some((problem) => problem.path === path && message.test(problem.message)),
    `expected ${path}: ${message}, got ${JSON.stringify(found)}`,
  );
}

const at = 'jobs.BATCH-001.schedule';

describe('schedule schema: the forms', () => {
  it('cron: fields parsed, defaults filled', () => {
    const schedule = scheduleSchema.parse({ cron: '0 3 * * *', calendar: 'jp-business' });
    assert.deepEqual(schedule, {
      when: {
        kind: 'cron',
        text: '0 3 * * *',
        fields: {
          minute: [0],
          hour: [3],
          dayOfMonth: Array.from({ length: 31 }, (_, i) => i + 1),
          month: Array.from({ length: 12 }, (_, i) => i + 1),
          dayOfWeek: [0, 1, 2, 3, 4, 5, 6],
          dayMatch: 'both',
        },
      },
      holidayShift: 'skip',
      calendar: 'jp-business',
      overlap: 'skip',
      enabled: true,
    });
  });

  it('cron: lists, ranges, steps, names, 7 = Sunday', () => {
    const { when } = scheduleSchema.parse({ cron: '*/15 9-17/4 1,15 jan-mar,DEC mon-fri,7' });
    assert.equal(when.kind, 'cron');
    if (when.kind !== 'cron') return;
    assert.deepEqual(when.fields.minute, [0, 15, 30, 45]);
    assert.deepEqual(when.fields.hour, [9, 13, 17]);
    assert.deepEqual(when.fields.dayOfMonth, [1, 15]);
    assert.deepEqual(when.fields.month, [1, 2, 3, 12]);
    assert.deepEqual(when.fields.dayOfWeek, [0, 1, 2, 3, 4, 5]);
    // Both day fields restricted: cron(8) fires when either matches.
    assert.equal(when.fields.dayMatch, 'either');
  });

  it('cron: a day field starting with * makes the day fields AND, as in cron(8)', () => {
    const { when } = scheduleSchema.parse({ cron: '0 3 */2 * mon' });
    assert.ok(when.kind === 'cron' && when.fields.dayMatch === 'both');
  });

  it('cron: "5/20" runs from 5 to the end of the field; @daily is a shorthand', () => {
    const stepped = scheduleSchema.parse({ cron: '5/20 * * * *' }).when;
    assert.ok(stepped.kind === 'cron');
    assert.deepEqual(stepped.fields.minute, [5, 25, 45]);
    const daily = scheduleSchema.parse({ cron: '@daily' }).when;
    assert.ok(daily.kind === 'cron');
    assert.deepEqual([daily.fields.minute, daily.fields.hour], [[0], [0]]);
  });

  it('daily, weekly (one day or a list), monthly', () => {
    assert.deepEqual(scheduleSchema.parse({ daily: '02:00' }).when, { kind: 'daily', text: '02:00', at: { hour: 2, minute: 0 } });
    assert.deepEqual(scheduleSchema.parse({ weekly: 'sun 03:00' }).when, { kind: 'weekly', text: 'sun 03:00', days: [0], at: { hour: 3, minute: 0 } });
    assert.deepEqual(scheduleSchema.parse({ weekly: 'fri,mon,Wed 3:05' }).when, {
      kind: 'weekly',
      text: 'fri,mon,Wed 3:05',
      days: [1, 3, 5],
      at: { hour: 3, minute: 5 },
    });
    assert.deepEqual(scheduleSchema.parse({ monthly: '31 04:00' }).when, { kind: 'monthly', text: '31 04:00', day: 31, at: { hour: 4, minute: 0 } });
  });

  it('businessDay: the Nth (or Nth to last) business day of the month at a time, with its calendar', () => {
    assert.deepEqual(scheduleSchema.parse({ businessDay: -1, at: '22:00', calendar: 'jp-business' }), {
      when: { kind: 'businessDay', text: '-1 at 22:00', nth: -1, at: { hour: 22, minute: 0 } },
      holidayShift: 'skip',
      calendar: 'jp-business',
      overlap: 'skip',
      enabled: true,
    });
    assert.deepEqual(scheduleSchema.parse({ businessDay: 23, at: '4:05', calendar: 'c' }).when, {
      kind: 'businessDay',
      text: '23 at 04:05',
      nth: 23,
      at: { hour: 4, minute: 5 },
    });
    assert.equal(scheduleSchema.parse({ businessDay: -23, at: '04:00', calendar: 'c' }).when.kind, 'businessDay');
  });

  it('holidayShift: skip by default, next or previous on daily, weekly, monthly and cron with a calendar', () => {
    assert.equal(scheduleSchema.parse({ daily: '03:00', calendar: 'c' }).holidayShift, 'skip');
    for (const form of [{ daily: '03:00' }, { weekly: 'mon 09:00' }, { monthly: '15 09:00' }, { cron: '0 9 1 * *' }]) {
      assert.equal(scheduleSchema.parse({ ...form, calendar: 'c', holidayShift: 'next' }).holidayShift, 'next');
      assert.equal(scheduleSchema.parse({ ...form, calendar: 'c', holidayShift: 'previous' }).holidayShift, 'previous');
    }
    // skip is what an interval with a calendar does anyway: saying so is allowed.
    assert.equal(scheduleSchema.parse({ interval: '1h', calendar: 'c', holidayShift: 'skip' }).holidayShift, 'skip');
  });

  it('interval: a duration or a bare number of seconds, in ms', () => {
    assert.deepEqual(scheduleSchema.parse({ interval: '1h' }).when, { kind: 'interval', text: '1h', everyMs: 3_600_000 });
    assert.deepEqual(scheduleSchema.parse({ interval: 90 }).when, { kind: 'interval', text: '90', everyMs: 90_000 });
    assert.equal(scheduleSchema.parse({ interval: '1d' }).when.kind, 'interval');
  });

  it('the common fields: zone (letter case fixed for the server), overlap, catch-up window, enabled, note', () => {
    const schedule = scheduleSchema.parse({
      daily: '03:00',
      timezone: 'america/new_york',
      overlap: 'buffer',
      catchupWindow: '1h',
      enabled: false,
      note: 'until the migration',
    });
    assert.equal(schedule.timezone, 'America/New_York');
    assert.equal(schedule.overlap, 'buffer');
    assert.equal(schedule.catchupWindow, 3_600_000);
    assert.equal(schedule.enabled, false);
    assert.equal(schedule.note, 'until the migration');
  });
});

describe('schedule schema: bad input', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['no form at all', { calendar: 'jp-business' }, at, /needs one of cron, daily, weekly, monthly, interval or businessDay/],
    [
      'two forms',
      { cron: '0 3 * * *', daily: '03:00' },
      at,
      /exactly one of cron, daily, weekly, monthly, interval or businessDay; this one has cron and daily/,
    ],
    ['three forms', { daily: '03:00', weekly: 'sun 03:00', interval: '1h' }, at, /this one has daily and weekly and interval/],
    [
      'businessDay 0',
      { businessDay: 0, at: '04:00', calendar: 'c' },
      `${at}.businessDay`,
      /^businessDay 0 is out of range; write 1 to 23 \(the Nth business day of the month\) or -1 to -23/,
    ],
    ['businessDay 25', { businessDay: 25, at: '04:00', calendar: 'c' }, `${at}.businessDay`, /^businessDay 25 is out of range/],
    ['businessDay 24', { businessDay: 24, at: '04:00', calendar: 'c' }, `${at}.businessDay`, /^businessDay 24 is out of range/],
    ['businessDay -24', { businessDay: -24, at: '04:00', calendar: 'c' }, `${at}.businessDay`, /^businessDay -24 is out of range/],
    ['businessDay 1.5', { businessDay: 1.5, at: '04:00', calendar: 'c' }, `${at}.businessDay`, /^businessDay 1.5 is out of range/],
    [
      'businessDay as a word',
      { businessDay: 'last', at: '04:00', calendar: 'c' },
      `${at}.businessDay`,
      /^"last" is not a business day number; write 1 for the first business day of the month, -1 for the last$/,
    ],
    ['businessDay with cron', { businessDay: 1, at: '04:00', cron: '0 4 1 * *', calendar: 'c' }, at, /exactly one of .*; this one has cron and businessDay$/],
    [
      'businessDay without a calendar',
      { businessDay: -1, at: '22:00' },
      at,
      /^a businessDay rule counts the business days of a calendar; name one, e\.g\. calendar: jp-business$/,
    ],
    ['businessDay without at', { businessDay: 1, calendar: 'c' }, at, /^a businessDay rule needs its time of day: add at: "HH:MM"/],
    [
      'businessDay with a bad time',
      { businessDay: 1, at: '25:00', calendar: 'c' },
      `${at}.at`,
      /^"25:00" is not a time of day; write HH:MM from 00:00 to 23:59$/,
    ],
    ['at without businessDay', { daily: '03:00', at: '04:00' }, `${at}.at`, /^at is the time of a businessDay rule/],
    [
      'holidayShift sideways',
      { monthly: '15 09:00', calendar: 'c', holidayShift: 'sideways' },
      `${at}.holidayShift`,
      /^"sideways" is not a holiday shift; use skip, next, previous$/,
    ],
    [
      'holidayShift without a calendar',
      { monthly: '15 09:00', holidayShift: 'next' },
      `${at}.holidayShift`,
      /^holidayShift moves runs off the non-business days of a calendar; name one/,
    ],
    [
      'holidayShift skip without a calendar',
      { daily: '03:00', holidayShift: 'skip' },
      `${at}.holidayShift`,
      /^holidayShift moves runs off the non-business days of a calendar/,
    ],
    ['holidayShift on an interval', { interval: '1h', calendar: 'c', holidayShift: 'previous' }, `${at}.holidayShift`, /^an interval has no date to move/],
    [
      'holidayShift on a businessDay rule',
      { businessDay: 1, at: '04:00', calendar: 'c', holidayShift: 'next' },
      `${at}.holidayShift`,
      /^a businessDay rule always lands on a business day; holidayShift does not apply to it$/,
    ],
    ['cron with 4 fields', { cron: '0 3 * *' }, `${at}.cron`, /"0 3 \* \*" has 4 fields; a cron expression has 5: minute hour day-of-month month day-of-week/],
    ['cron with seconds', { cron: '0 0 3 * * *' }, `${at}.cron`, /has 6 fields/],
    ['cron minute 60', { cron: '60 3 * * *' }, `${at}.cron`, /^minute 60 is out of range 0-59$/],
    ['cron hour 24', { cron: '0 24 * * *' }, `${at}.cron`, /^hour 24 is out of range 0-23$/],
    ['cron day 0', { cron: '0 3 0 * *' }, `${at}.cron`, /^day-of-month 0 is out of range 1-31$/],
    ['cron month 13', { cron: '0 3 * 13 *' }, `${at}.cron`, /^month 13 is out of range 1-12$/],
    ['cron weekday 8', { cron: '0 3 * * 8' }, `${at}.cron`, /^day-of-week 8 is out of range 0-7$/],
    ['cron unknown month name', { cron: '0 3 * foo *' }, `${at}.cron`, /month "foo" is not a number 1-12 or a name jan-dec/],
    ['cron weekday name in the hour', { cron: '0 mon * * *' }, `${at}.cron`, /hour "mon" is not a number 0-23$/],
    ['cron step 0', { cron: '*/0 * * * *' }, `${at}.cron`, /minute step "\/0" must be a whole number of at least 1/],
    ['cron range backwards', { cron: '0 17-9 * * *' }, `${at}.cron`, /hour range "17-9" runs backwards/],
    ['cron empty list entry', { cron: '0 1,,2 * * *' }, `${at}.cron`, /hour "1,,2" has an empty entry/],
    ['cron unknown shorthand', { cron: '@reboot' }, `${at}.cron`, /"@reboot" is not a cron shorthand/],
    ['cron not a string', { cron: 5 }, `${at}.cron`, /5 is not a cron expression/],
    ['daily 24:00', { daily: '24:00' }, `${at}.daily`, /"24:00" is not a time of day; write HH:MM from 00:00 to 23:59/],
    ['daily 03:60', { daily: '03:60' }, `${at}.daily`, /"03:60" is not a time of day/],
    ['daily without colon', { daily: '0300' }, `${at}.daily`, /"0300" is not a time of day/],
    ['weekly without time', { weekly: 'sun' }, `${at}.weekly`, /write days and a time, e.g. "sun 03:00"/],
    ['weekly unknown day', { weekly: 'mon,fry 03:00' }, `${at}.weekly`, /"fry" is not a day/],
    ['weekly day twice', { weekly: 'mon,mon 03:00' }, `${at}.weekly`, /mon is listed twice/],
    ['weekly bad time', { weekly: 'sun 3am' }, `${at}.weekly`, /"3am" is not a time of day/],
    ['monthly day 32', { monthly: '32 04:00' }, `${at}.monthly`, /^day 32 is out of range 1-31$/],
    ['monthly day 0', { monthly: '0 04:00' }, `${at}.monthly`, /^day 0 is out of range 1-31$/],
    ['monthly without day', { monthly: '04:00' }, `${at}.monthly`, /write a day of the month and a time, e.g. "1 04:00"/],
    ['monthly bad time', { monthly: '1 25:00' }, `${at}.monthly`, /"25:00" is not a time of day/],
    ['interval not a duration', { interval: 'hourly' }, `${at}.interval`, /"hourly" is not a duration/],
    ['interval zero', { interval: '0s' }, `${at}.interval`, /must be greater than zero/],
    ['interval under a second', { interval: '500ms' }, `${at}.interval`, /a whole number of seconds, at least 1s; got "500ms"/],
    ['interval with a fraction of a second', { interval: 1.5 }, `${at}.interval`, /whole number of seconds/],
    ['unknown time zone', { daily: '03:00', timezone: 'Mars/Olympus' }, `${at}.timezone`, /unknown time zone "Mars\/Olympus"/],
    ['unknown overlap policy', { daily: '03:00', overlap: 'queue' }, `${at}.overlap`, /"queue" is not an overlap policy; use skip, buffer, allow, cancel/],
    ['catch-up window not a duration', { daily: '03:00', catchupWindow: 'soon' }, `${at}.catchupWindow`, /"soon" is not a duration/],
    ['catch-up window under 10s', { daily: '03:00', catchupWindow: '5s' }, `${at}.catchupWindow`, /raised to 10s by Temporal; write at least 10s \(got 5s\)/],
    ['enabled not a boolean', { daily: '03:00', enabled: 'yes' }, `${at}.enabled`, /expected boolean/],
    ['empty calendar name', { daily: '03:00', calendar: '' }, `${at}.calendar`, /name a calendar/],
    ['misspelt field', { daily: '03:00', timezon: 'UTC' }, at, /unknown field "timezon"/],
  ];
  for (const [what, input, path, message] of cases) {
    it(`${what} → ${path}`, () => assertProblem(input, path, message));
  }

  it('two forms are reported together with a bad value of one of them', () => {
    const found = problems({ cron: '0 3 * *', daily: '03:00' });
    assert.ok(found.some((problem) => problem.path === `${at}.cron`));
    assert.ok(found.some((problem) => problem.path === at && /has cron and daily/.test(problem.message)));
  });

  it('a schedule that is not a mapping is one problem, not two', () => {
    const found = problems('0 3 * * *');
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.path, at);
  });
});

describe('describeSchedule', () => {
  const words = (input: unknown, timezone?: string) => describeSchedule(scheduleSchema.parse(input), { timezone });

  it('says each form in words', () => {
    assert.equal(words({ daily: '03:00', calendar: 'jp-business' }, 'Asia/Tokyo'), 'daily at 03:00 Asia/Tokyo, business days (jp-business)');
    assert.equal(words({ interval: '1h' }, 'Asia/Tokyo'), 'every 1h');
    assert.equal(words({ interval: 5400 }), 'every 1h30m');
    assert.equal(words({ cron: '0 3 * * *' }), 'cron 0 3 * * *');
    assert.equal(words({ cron: ' 0 3 * * * ' }, 'UTC'), 'cron 0 3 * * * UTC');
    assert.equal(words({ weekly: 'wed,mon 3:00' }), 'weekly on mon, wed at 03:00');
    assert.equal(words({ monthly: '31 04:00' }), 'monthly on day 31 at 04:00');
  });

  it('business-day rules and holiday shifts in words', () => {
    assert.equal(
      words({ businessDay: -1, at: '22:00', calendar: 'jp-business' }, 'Asia/Tokyo'),
      'last business day of the month at 22:00 Asia/Tokyo (jp-business)',
    );
    assert.equal(words({ businessDay: -2, at: '22:00', calendar: 'jp-business' }), '2nd to last business day of the month at 22:00 (jp-business)');
    assert.equal(words({ businessDay: 1, at: '04:00', calendar: 'jp-business' }), '1st business day of the month at 04:00 (jp-business)');
    assert.equal(words({ businessDay: 3, at: '04:00', calendar: 'jp-business' }), '3rd business day of the month at 04:00 (jp-business)');
    assert.equal(words({ businessDay: 11, at: '04:00', calendar: 'c' }), '11th business day of the month at 04:00 (c)');
    assert.equal(words({ businessDay: 22, at: '04:00', calendar: 'c', overlap: 'allow' }), '22nd business day of the month at 04:00 (c), overlap allow');
    assert.equal(
      words({ monthly: '15 09:00', calendar: 'jp-business', holidayShift: 'next' }, 'Asia/Tokyo'),
      'monthly on day 15 at 09:00 Asia/Tokyo, moved to the next business day when it is not one (jp-business)',
    );
    assert.equal(
      words({ weekly: 'fri 18:00', calendar: 'jp-business', holidayShift: 'previous' }),
      'weekly on fri at 18:00, moved to the previous business day when it is not one (jp-business)',
    );
    assert.equal(words({ daily: '03:00', calendar: 'jp-business', holidayShift: 'skip' }), 'daily at 03:00, business days (jp-business)');
  });

  it("the schedule's own zone wins; a non-default overlap and a disabled schedule are mentioned", () => {
    assert.equal(words({ daily: '03:00', timezone: 'America/New_York' }, 'Asia/Tokyo'), 'daily at 03:00 America/New_York');
    assert.equal(words({ daily: '03:00', overlap: 'buffer', enabled: false }), 'daily at 03:00, overlap buffer, disabled');
  });
});
