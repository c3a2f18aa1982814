/**
 * Business-day rules as dates (DESIGN.md §4): the Nth business day of a month, and where a
 * fire on a non-business day moves to under `holidayShift`. Dates only — the compiler turns
 * them into calendar entries with the schedule's time of day. Pure, like the calendar schema.
 */
import { isBusinessDay, type Calendar } from '../catalog/schema/calendar-schema';
import { addDays, datesBetween, formatIsoDate, parseIsoDate } from '../time/plain-date';

export type HolidayShift = 'next' | 'previous';

/**
 * How far a move looks for a business day. A calendar always has a business weekday, so only
 * a run of extra holidays longer than this can leave a fire without a day to move to; it is
 * then dropped, as `skip` would.
 */
const MAX_SHIFT_DAYS = 366;

/** The business days of a month, in order. */
export function businessDaysOfMonth(calendar: Calendar, year: number, month: number): string[] {
  return datesBetween(formatIsoDate(year, month, 1), formatIsoDate(year, month + 1, 0)).filter((date) => isBusinessDay(calendar, date));
}

/**
 * The `n`th business day of a month (1 the first, -1 the last, -2 the second to last), or
 * undefined in a month that has fewer business days than that.
 */
export function nthBusinessDay(calendar: Calendar, year: number, month: number, n: number): string | undefined {
  const days = businessDaysOfMonth(calendar, year, month);
  return n > 0 ? days[n - 1] : days[days.length + n];
}

/** The `n`th business day of every month from the month of `from` to the month of `to`. */
export function nthBusinessDays(calendar: Calendar, n: number, from: string, to: string): string[] {
  const start = parseIsoDate(from)!;
  const end = parseIsoDate(to)!;
  const out: string[] = [];
  let { year, month } = start;
  while (year * 12 + month <= end.year * 12 + end.month) {
    const date = nthBusinessDay(calendar, year, month, n);
    if (date !== undefined) out.push(date);
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
  return out;
}

/** The first business day after (`next`) or before (`previous`) `date`, or undefined when none is near. */
export function shiftToBusinessDay(calendar: Calendar, date: string, shift: HolidayShift): string | undefined {
  const step = shift === 'next' ? 1 : -1;
  for (let days = 1; days <= MAX_SHIFT_DAYS; days++) {
    const candidate = addDays(date, step * days);
    if (isBusinessDay(calendar, candidate)) return candidate;
  }
  return undefined;
}

export interface MovedFire {
  /** The business day the fire moves to. */
  date: string;
  /** The non-business day it was due on (the earliest, when several move to the same day). */
  from: string;
}

/**
 * The business days from `from` to `to` that get a moved fire: each date the plain schedule
 * fires on (`firesOn`) that is not a business day moves to the next / previous business day —
 * unless that day has a fire of its own or already got one moved in. So a business day never
 * gets the schedule's runs twice, and a move may cross a month or a year: fires due up to a
 * month outside the range are looked at too, for the moves that land inside it.
 */
export function movedFires(calendar: Calendar, firesOn: (date: string) => boolean, shift: HolidayShift, from: string, to: string): MovedFire[] {
  const due = datesBetween(addDays(from, -31), addDays(to, 31)).filter(firesOn);
  const moved = new Map<string, MovedFire>();
  for (const source of due) {
    if (isBusinessDay(calendar, source)) continue;
    const target = shiftToBusinessDay(calendar, source, shift);
    if (target === undefined || target < from || target > to || moved.has(target)) continue;
    if (firesOn(target)) continue;
    moved.set(target, { date: target, from: source });
  }
  return [...moved.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
