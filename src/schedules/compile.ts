/**
 * A catalog schedule compiled into what `client.schedule.create` takes besides the action:
 * a Temporal `ScheduleSpec` of structured calendars (or intervals), the overlap policy, the
 * catch-up window and the paused state.
 *
 * Business calendars are compiled in, so that the server itself knows the real fire times
 * (its `nextActionTimes`, the Web UI, missed-run catch-up) instead of starting a run that then
 * has to notice it is a holiday:
 *
 * - the calendar's weekdays narrow `dayOfWeek` of every calendar entry; that is exact for all
 *   time, so weekends stay off even if the spec is never refreshed;
 * - holidays that fall on such a weekday and would fire go into `skip`, one whole-day entry
 *   each (year, month, dayOfMonth, every hour/minute/second) for the dates of the horizon —
 *   holidays are dates, not a rule the spec can state, so the spec must be re-synced before
 *   the horizon ends (see `scheduleHorizon`);
 * - an extra workday on a day the weekdays exclude (a working Saturday) gets a calendar entry
 *   of its own for that date, with the schedule's hours and minutes;
 * - intervals cannot be narrowed by weekday, so for them every non-business day that would
 *   fire goes into `skip`;
 * - `holidayShift: next | previous` adds an entry of its own for each business day that a fire
 *   due on a non-business day moves to (the due day itself stays skipped);
 * - a `businessDay` rule is nothing but such dated entries, one a month: which date is the Nth
 *   business day depends on the holidays, so no weekday pattern can state it.
 *
 * The horizon runs from the first day of the current month (in the schedule's zone) to the
 * end of the month that the last day of this month + `horizonDays` falls in. So it covers
 * `now … now + horizonDays` and depends on the month alone: compiled on any day of one month,
 * the spec is the same (lists are in a fixed order too), and a sync diffing it sees a change
 * once a month, not daily.
 */
import { DAYS_OF_WEEK, MONTHS, ScheduleOverlapPolicy, type CalendarSpec, type LooseRange, type ScheduleOptions, type ScheduleSpec } from '@temporalio/client';
import { businessDateAt } from '../catalog/business-date';
import { offDayReason, type Calendar } from '../catalog/calendar-schema';
import type { Schedule, ScheduleTimes } from '../catalog/schedule-schema';
import { InvalidInputError } from '../catalog/validation-error';
import { WEEKDAY_NAMES, addDays, datesBetween, formatIsoDate, parseIsoDate, weekdayOf } from './plain-date';
import { movedFires, nthBusinessDays } from './business-days';
import { SpecEvaluator } from './spec-evaluator';
import { canonicalTimeZone, startOfLocalDay } from './zone';

export const DEFAULT_HORIZON_DAYS = 400;

export interface CompileOptions {
  /** The catalog's time zone, for schedules that do not name their own. */
  timezone: string;
  /** The catalog's calendars by name. */
  calendars: Readonly<Record<string, Calendar>>;
  now: Date;
  /** How many days ahead of `now` holidays are written into the spec, at least; default 400. */
  horizonDays?: number;
}

export interface ScheduleHorizon {
  /** The first date holidays are compiled for: the 1st of the month of `now` in the zone. */
  from: string;
  /** The last date holidays are compiled for; re-sync before it (any day before is fine). */
  to: string;
}

export interface CompiledSchedule {
  spec: ScheduleSpec;
  policies: NonNullable<ScheduleOptions['policies']>;
  state: NonNullable<ScheduleOptions['state']>;
  /** The dates the business calendar is compiled for; null when the spec does not depend on `now`. */
  horizon: ScheduleHorizon | null;
}

/**
 * The dates a calendar is compiled for at `now` (dates in `timezone`): from the 1st of this
 * month to the end of the month that the last day of this month + `horizonDays` falls in.
 */
export function scheduleHorizon(now: Date, timezone: string, horizonDays = DEFAULT_HORIZON_DAYS): ScheduleHorizon {
  if (!Number.isInteger(horizonDays) || horizonDays < 1) throw new RangeError(`horizonDays must be a whole number of at least 1, got ${horizonDays}`);
  const today = parseIsoDate(businessDateAt(now, timezone))!;
  const endOfMonth = formatIsoDate(today.year, today.month + 1, 0);
  const last = parseIsoDate(addDays(endOfMonth, horizonDays))!;
  return { from: formatIsoDate(today.year, today.month, 1), to: formatIsoDate(last.year, last.month + 1, 0) };
}

const OVERLAP: Record<Schedule['overlap'], ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  // One waiting run at most: a batch that overran should run once more, not once per missed slot.
  buffer: ScheduleOverlapPolicy.BUFFER_ONE,
  allow: ScheduleOverlapPolicy.ALLOW_ALL,
  cancel: ScheduleOverlapPolicy.CANCEL_OTHER,
};

/** The wall-clock times a calendar form fires at, as sets of values (all sorted). */
interface TimePattern {
  minutes: number[];
  hours: number[];
  daysOfMonth: number[];
  /** 1–12 */
  months: number[];
  /** 0 = Sunday */
  weekdays: number[];
}

const span = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, index) => from + index);
const ALL_DAYS_OF_MONTH = span(1, 31);
const ALL_MONTHS = span(1, 12);
const ALL_WEEKDAYS = span(0, 6);

function patternsOf(when: Exclude<ScheduleTimes, { kind: 'interval' | 'businessDay' }>): TimePattern[] {
  const every = { daysOfMonth: ALL_DAYS_OF_MONTH, months: ALL_MONTHS, weekdays: ALL_WEEKDAYS };
  switch (when.kind) {
    case 'cron': {
      const { minute: minutes, hour: hours, dayOfMonth, month: months, dayOfWeek, dayMatch } = when.fields;
      if (dayMatch === 'both') return [{ minutes, hours, daysOfMonth: dayOfMonth, months, weekdays: dayOfWeek }];
      // cron's "either day field": Temporal ANDs the fields, so one calendar per day field.
      return [
        { minutes, hours, daysOfMonth: dayOfMonth, months, weekdays: ALL_WEEKDAYS },
        { minutes, hours, daysOfMonth: ALL_DAYS_OF_MONTH, months, weekdays: dayOfWeek },
      ];
    }
    case 'daily':
      return [{ ...every, minutes: [when.at.minute], hours: [when.at.hour] }];
    case 'weekly':
      return [{ ...every, minutes: [when.at.minute], hours: [when.at.hour], weekdays: when.days }];
    case 'monthly':
      return [{ ...every, minutes: [when.at.minute], hours: [when.at.hour], daysOfMonth: [when.day] }];
  }
}

/**
 * A field as the SDK takes it: '*' for every value, else single values and runs. Runs are
 * always written with `end` and `step`: the SDK turns a `{ start }` without `end` into a
 * range ending at 1, which the server rejects or misreads.
 */
function field<Unit>(values: readonly number[], min: number, max: number, unit: (value: number) => Unit): '*' | LooseRange<Unit>[] {
  if (values.length === max - min + 1) return '*';
  const out: LooseRange<Unit>[] = [];
  for (let index = 0; index < values.length; ) {
    let last = index;
    while (last + 1 < values.length && values[last + 1] === values[last]! + 1) last++;
    const [start, end] = [values[index]!, values[last]!];
    out.push(start === end ? unit(start) : { start: unit(start), end: unit(end), step: 1 });
    index = last + 1;
  }
  return out;
}

const asNumber = (value: number) => value;
const monthName = (month: number) => MONTHS[month - 1]!;
const dayName = (weekday: number) => DAYS_OF_WEEK[weekday]!;

/** Entries list the date fields first, then the time; '*' date fields (the SDK's default) are left out. */
function calendarEntry(pattern: TimePattern): CalendarSpec {
  const entry: CalendarSpec = {};
  const month = field(pattern.months, 1, 12, monthName);
  const dayOfMonth = field(pattern.daysOfMonth, 1, 31, asNumber);
  const dayOfWeek = field(pattern.weekdays, 0, 6, dayName);
  if (month !== '*') entry.month = month;
  if (dayOfMonth !== '*') entry.dayOfMonth = dayOfMonth;
  if (dayOfWeek !== '*') entry.dayOfWeek = dayOfWeek;
  return { ...entry, ...timeFields(pattern) };
}

function timeFields(pattern: TimePattern): Pick<CalendarSpec, 'hour' | 'minute'> {
  return { hour: field(pattern.hours, 0, 23, asNumber), minute: field(pattern.minutes, 0, 59, asNumber) };
}

/** The server refuses calendar comments over 200 characters. */
const comment = (text: string) => (text.length <= 200 ? text : `${text.slice(0, 199)}…`);

function dateFields(date: string): Pick<CalendarSpec, 'year' | 'month' | 'dayOfMonth'> {
  const { year, month, day } = parseIsoDate(date)!;
  return { year, month: monthName(month), dayOfMonth: day };
}

function matchesDate(pattern: TimePattern, date: string): boolean {
  const { month, day } = parseIsoDate(date)!;
  return pattern.months.includes(month) && pattern.daysOfMonth.includes(day) && pattern.weekdays.includes(weekdayOf(date));
}

/** Does the spec fire at some time of `date` (a wall-clock date in its zone)? */
function firesOn(evaluator: SpecEvaluator, date: string, timezone: string): boolean {
  const start = startOfLocalDay(parseIsoDate(date)!, timezone);
  const end = startOfLocalDay(parseIsoDate(addDays(date, 1))!, timezone);
  const next = evaluator.next(start - 1);
  return next !== undefined && next < end;
}

function lookUpCalendar(name: string, calendars: CompileOptions['calendars']): Calendar {
  const calendar = Object.hasOwn(calendars, name) ? calendars[name] : undefined;
  if (!calendar) {
    const known = Object.keys(calendars);
    throw new InvalidInputError(
      [{ path: 'calendar', message: `unknown calendar "${name}"; ${known.length > 0 ? `the catalog has ${known.join(', ')}` : 'the catalog defines none'}` }],
      'schedule',
    );
  }
  return calendar;
}

export function compileSchedule(schedule: Schedule, options: CompileOptions): CompiledSchedule {
  const timezone = canonicalTimeZone(schedule.timezone ?? options.timezone);
  const policies: CompiledSchedule['policies'] = { overlap: OVERLAP[schedule.overlap] };
  if (schedule.catchupWindow !== undefined) policies.catchupWindow = schedule.catchupWindow;
  const state: CompiledSchedule['state'] = { paused: !schedule.enabled };
  if (schedule.note !== undefined) state.note = schedule.note;

  const { when } = schedule;
  const base: ScheduleSpec = { timezone };
  const patterns = when.kind === 'interval' || when.kind === 'businessDay' ? [] : patternsOf(when);
  if (when.kind === 'interval') base.intervals = [{ every: when.everyMs, offset: 0 }];

  if (schedule.calendar === undefined) {
    if (when.kind === 'businessDay') throw new InvalidInputError([{ path: 'calendar', message: 'a businessDay rule needs a calendar' }], 'schedule');
    if (when.kind !== 'interval') base.calendars = patterns.map(calendarEntry);
    return { spec: base, policies, state, horizon: null };
  }

  const calendarName = schedule.calendar;
  const calendar = lookUpCalendar(calendarName, options.calendars);
  const horizon = scheduleHorizon(options.now, timezone, options.horizonDays);
  const workWeekdays = calendar.weekdays.map((name) => WEEKDAY_NAMES.indexOf(name));

  if (when.kind === 'businessDay') {
    const time = { hour: [when.at.hour], minute: [when.at.minute] };
    const label = comment(`${calendarName}: business day ${when.nth}`);
    base.calendars = nthBusinessDays(calendar, when.nth, horizon.from, horizon.to).map((date) => ({ ...dateFields(date), ...time, comment: label }));
    return { spec: base, policies, state, horizon };
  }

  // Entries of fires moved onto business days; kept out of the skip computation below, which
  // they cannot change (they are never on a day to skip) but would slow down.
  const moves: CalendarSpec[] = [];
  if (when.kind !== 'interval') {
    const narrowed = patterns
      .map((pattern) => ({ ...pattern, weekdays: pattern.weekdays.filter((day) => workWeekdays.includes(day)) }))
      .filter((pattern) => pattern.weekdays.length > 0);
    const entries = narrowed.map(calendarEntry);
    const seen = new Set(entries.map((entry) => JSON.stringify(entry)));
    for (const date of [...calendar.extraWorkdays].sort()) {
      if (date < horizon.from || date > horizon.to || workWeekdays.includes(weekdayOf(date))) continue;
      for (const pattern of patterns.filter((candidate) => matchesDate(candidate, date))) {
        const entry: CalendarSpec = { ...dateFields(date), ...timeFields(pattern), comment: comment(`${calendarName}: extra workday`) };
        const key = JSON.stringify(entry);
        if (!seen.has(key)) entries.push(entry);
        seen.add(key);
      }
    }
    if (schedule.holidayShift !== 'skip' && patterns.length > 0) {
      // Every form's patterns share one set of times of day; only the days differ.
      const times = timeFields(patterns[0]!);
      const firesOnDate = (date: string) => patterns.some((pattern) => matchesDate(pattern, date));
      for (const moved of movedFires(calendar, firesOnDate, schedule.holidayShift, horizon.from, horizon.to)) {
        const why = offDayReason(calendar, moved.from) ?? 'not a business day';
        moves.push({ ...dateFields(moved.date), ...times, comment: comment(`${calendarName}: moved from ${moved.from} (${why})`) });
      }
    }
    base.calendars = entries;
  }

  // Only days on which the spec would actually fire need a skip entry.
  const evaluator = new SpecEvaluator(base);
  const skip: CalendarSpec[] = [];
  for (const date of datesBetween(horizon.from, horizon.to)) {
    const reason = offDayReason(calendar, date);
    if (reason === undefined || !firesOn(evaluator, date, timezone)) continue;
    skip.push({ ...dateFields(date), hour: '*', minute: '*', second: '*', comment: comment(`${calendarName}: ${reason}`) });
  }
  const spec: ScheduleSpec = { ...base };
  if (moves.length > 0) spec.calendars = [...(base.calendars ?? []), ...moves];
  if (skip.length > 0) spec.skip = skip;
  return { spec, policies, state, horizon };
}
