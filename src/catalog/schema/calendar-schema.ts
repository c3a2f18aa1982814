import { z } from 'zod';
import holidayJp from '@holiday-jp/holiday_jp';
import { WEEKDAY_NAMES, datesBetween, isIsoDate, weekdayOf, type WeekdayName } from '../../time/plain-date';

/**
 * Business calendars (DESIGN.md §4 `calendars:`): which dates a schedule that names the
 * calendar may fire on. Dates are dates in the schedule's time zone.
 *
 * Kept free of Node APIs, like the other catalog schemas (workflow code may import them).
 */

const WEEKDAY_LIST = WEEKDAY_NAMES.join(', ');

const weekdaySchema = z.enum(WEEKDAY_NAMES, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a weekday; write one of ${WEEKDAY_LIST}`,
});

export const isoDateSchema = z
  .string({ error: (issue) => `${JSON.stringify(issue.input)} is not a date; write YYYY-MM-DD, e.g. 2027-01-02` })
  .refine(isIsoDate, { error: (issue) => `"${String(issue.input)}" is not a date; write YYYY-MM-DD, e.g. 2027-01-02` });

const DEFAULT_WEEKDAYS: WeekdayName[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

export const calendarSchema = z
  .strictObject({
    /** The days of the week that are business days unless a holiday says otherwise. */
    weekdays: z
      .array(weekdaySchema)
      .min(1, 'a calendar needs at least one weekday')
      .superRefine((days, ctx) => {
        days.forEach((day, index) => {
          if (days.indexOf(day) !== index) ctx.addIssue({ code: 'custom', path: [index], message: `${day} is listed twice` });
        });
      })
      .default(DEFAULT_WEEKDAYS),
    /** A country's national holidays; `jp` is Japan's (from @holiday-jp/holiday_jp, which knows them up to 2050). */
    holidays: z.literal('jp', { error: (issue) => `${JSON.stringify(issue.input)} is not a holiday set; the one known set is jp` }).optional(),
    /** Company holidays on top of the national ones, e.g. the New Year break. */
    extraHolidays: z.array(isoDateSchema).default([]),
    /** Dates that are business days whatever the weekday or the holiday lists say. */
    extraWorkdays: z.array(isoDateSchema).default([]),
  })
  .superRefine((calendar, ctx) => {
    // extraWorkdays win, so a date in both lists is a workday; but that is almost surely a typo.
    calendar.extraWorkdays.forEach((date, index) => {
      if (calendar.extraHolidays.includes(date)) {
        ctx.addIssue({ code: 'custom', path: ['extraWorkdays', index], message: `${date} is also listed in extraHolidays; keep it in one list` });
      }
    });
  });

export type Calendar = z.output<typeof calendarSchema>;
export type CalendarInput = z.input<typeof calendarSchema>;

const JP_HOLIDAYS: Readonly<Record<string, { readonly name_en: string } | undefined>> = holidayJp.holidays;

/** The English name of the national holiday on `date` in the calendar's holiday set, if any. */
export function nationalHoliday(calendar: Pick<Calendar, 'holidays'>, date: string): string | undefined {
  if (calendar.holidays === 'jp') return JP_HOLIDAYS[date]?.name_en;
  return undefined;
}

/** Why `date` is not a business day, or undefined when it is one. */
export function offDayReason(calendar: Calendar, date: string): string | undefined {
  if (!isIsoDate(date)) throw new RangeError(`"${date}" is not a date (YYYY-MM-DD)`);
  if (calendar.extraWorkdays.includes(date)) return undefined;
  if (calendar.extraHolidays.includes(date)) return 'extra holiday';
  const holiday = nationalHoliday(calendar, date);
  if (holiday !== undefined) return holiday;
  const weekday = WEEKDAY_NAMES[weekdayOf(date)]!;
  if (!calendar.weekdays.includes(weekday)) return `not a business weekday (${weekday})`;
  return undefined;
}

/** extraWorkdays win over everything; extraHolidays, national holidays and other weekdays are off. */
export function isBusinessDay(calendar: Calendar, date: string): boolean {
  return offDayReason(calendar, date) === undefined;
}

/** The dates from `fromDate` to `toDate` (both included) that are not business days, in order. */
export function nonBusinessDays(calendar: Calendar, fromDate: string, toDate: string): string[] {
  return datesBetween(fromDate, toDate).filter((date) => !isBusinessDay(calendar, date));
}
