/**
 * Business calendars: the schema's messages, and which dates are business days — Japan's
 * national holidays from @holiday-jp/holiday_jp, company holidays, working Saturdays.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { calendarSchema, isBusinessDay, nonBusinessDays, offDayReason, type CalendarInput } from '../src/catalog/schema/calendar-schema';
import { problemsFromZod } from '../src/validation/validation-error';

const jpBusiness = calendarSchema.parse({
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  holidays: 'jp',
  extraHolidays: ['2026-12-31', '2027-01-02', '2027-01-03'],
  extraWorkdays: ['2027-01-09'],
});

function problems(input: unknown) {
  const result = calendarSchema.safeParse(input);
  assert.equal(result.success, false, `should be rejected: ${JSON.stringify(input)}`);
  return problemsFromZod(result.error!);
}

describe('calendar schema', () => {
  it('fills the defaults: Monday to Friday, no holidays', () => {
    assert.deepEqual(calendarSchema.parse({}), { weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], extraHolidays: [], extraWorkdays: [] });
  });

  const cases: Array<[string, CalendarInput | Record<string, unknown>, string, RegExp]> = [
    ['unknown weekday', { weekdays: ['mon', 'monday'] }, 'weekdays[1]', /"monday" is not a weekday; write one of sun, mon, tue, wed, thu, fri, sat/],
    ['no weekday at all', { weekdays: [] }, 'weekdays', /at least one weekday/],
    ['weekday twice', { weekdays: ['mon', 'tue', 'mon'] }, 'weekdays[2]', /mon is listed twice/],
    ['unknown holiday set', { holidays: 'us' }, 'holidays', /"us" is not a holiday set; the one known set is jp/],
    ['not a real date', { extraHolidays: ['2027-02-30'] }, 'extraHolidays[0]', /"2027-02-30" is not a date; write YYYY-MM-DD/],
    ['date in another format', { extraWorkdays: ['2027/01/09'] }, 'extraWorkdays[0]', /"2027\/01\/09" is not a date/],
    ['date that is a number', { extraHolidays: [20270102] }, 'extraHolidays[0]', /20270102 is not a date/],
    [
      'a date in both lists',
      { extraHolidays: ['2027-01-04'], extraWorkdays: ['2027-01-04'] },
      'extraWorkdays[0]',
      /2027-01-04 is also listed in extraHolidays/,
    ],
    ['unknown field', { weekday: ['mon'] }, '(root)', /unknown field "weekday"/],
  ];
  for (const [what, input, path, message] of cases) {
    it(`rejects ${what} at ${path}`, () => {
      const found = problems(input);
      assert.ok(
        found.some((problem) => problem.path === path && message.test(problem.message)),
        `expected ${path}: ${message}, got ${JSON.stringify(found)}`,
      );
    });
  }
});

describe('isBusinessDay', () => {
  it('New Year’s Day 2027 (a Friday) is off: a national holiday', () => {
    assert.equal(isBusinessDay(jpBusiness, '2027-01-01'), false);
    assert.equal(offDayReason(jpBusiness, '2027-01-01'), "New Year's Day");
  });

  it('Coming of Age Day, Monday 2027-01-11, is off; the Tuesday after is on', () => {
    assert.equal(isBusinessDay(jpBusiness, '2027-01-11'), false);
    assert.equal(offDayReason(jpBusiness, '2027-01-11'), 'Coming of Age Day');
    assert.equal(isBusinessDay(jpBusiness, '2027-01-12'), true);
  });

  it('weekends are off', () => {
    assert.equal(isBusinessDay(jpBusiness, '2027-01-16'), false); // Saturday
    assert.equal(isBusinessDay(jpBusiness, '2027-01-17'), false); // Sunday
    assert.equal(offDayReason(jpBusiness, '2027-01-17'), 'not a business weekday (sun)');
  });

  it('extraHolidays are off, also on a plain Thursday', () => {
    assert.equal(isBusinessDay(jpBusiness, '2026-12-31'), false);
    assert.equal(offDayReason(jpBusiness, '2026-12-31'), 'extra holiday');
    assert.equal(isBusinessDay(jpBusiness, '2026-12-30'), true);
  });

  it('an extraWorkday Saturday is on, and wins over a national holiday too', () => {
    assert.equal(isBusinessDay(jpBusiness, '2027-01-09'), true);
    const workOnHoliday = calendarSchema.parse({ holidays: 'jp', extraWorkdays: ['2027-01-11'] });
    assert.equal(isBusinessDay(workOnHoliday, '2027-01-11'), true);
  });

  it('without holidays: jp, a national holiday on a weekday is a business day', () => {
    assert.equal(isBusinessDay(calendarSchema.parse({}), '2027-01-01'), true);
  });

  it('a weekend-worker calendar: Saturday on, Monday off', () => {
    const shop = calendarSchema.parse({ weekdays: ['sat', 'sun'] });
    assert.equal(isBusinessDay(shop, '2027-01-16'), true);
    assert.equal(isBusinessDay(shop, '2027-01-18'), false);
  });

  it('refuses a string that is not a date', () => {
    assert.throws(() => isBusinessDay(jpBusiness, '2027-1-1'), RangeError);
  });
});

describe('nonBusinessDays', () => {
  it('lists the New Year break of jp-business, ends included', () => {
    assert.deepEqual(nonBusinessDays(jpBusiness, '2026-12-26', '2027-01-11'), [
      '2026-12-26',
      '2026-12-27',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
      '2027-01-03',
      '2027-01-10',
      '2027-01-11',
    ]);
  });

  it('is empty when the range is empty', () => {
    assert.deepEqual(nonBusinessDays(jpBusiness, '2027-01-11', '2027-01-10'), []);
  });
});
