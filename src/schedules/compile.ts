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
 * All of it judges the business date, not the wall-clock date: with `dayBoundary: "05:00"` a
 * fire at 02:00 belongs to the day before, so a Saturday 02:00 fire is Friday's (a business
 * day) and a Monday 02:00 fire is Sunday's (not one). The times before the boundary are
 * narrowed by the weekdays shifted one day on, and an off day's skip covers its business day,
 * from its boundary to the next day's. With the default "00:00" the spec is what it always was.
 *
 * The horizon runs from the first day of the current month (in the schedule's zone) to the
 * end of the month that the last day of this month + `horizonDays` falls in. So it covers
 * `now … now + horizonDays` and depends on the month alone: compiled on any day of one month,
 * the spec is the same (lists are in a fixed order too), and a sync diffing it sees a change
 * once a month, not daily.
 */
import { DAYS_OF_WEEK, MONTHS, ScheduleOverlapPolicy, type CalendarSpec, type LooseRange, type ScheduleOptions, type ScheduleSpec } from '@temporalio/client';
import { businessDateAt } from '../time/business-date';
import { offDayReason, type Calendar } from '../catalog/schema/calendar-schema';
import type { Schedule, ScheduleTimes } from '../catalog/schema/schedule-schema';
import { InvalidInputError } from '../validation/validation-error';
import { WEEKDAY_NAMES, addDays, datesBetween, formatIsoDate, parseIsoDate, weekdayOf } from '../time/plain-date';
import { movedFires, nthBusinessDays } from './business-days';
import { SpecEvaluator } from './spec-evaluator';
import { canonicalTimeZone, startOfLocalDay, zonedTimeToUnix } from '../time/zone';

export const DEFAULT_HORIZON_DAYS = 400;

export interface CompileOptions {
  /** The catalog's time zone, for schedules that do not name their own. */
  timezone: string;
  /** The catalog's calendars by name. */
  calendars: Readonly<Record<string, Calendar>>;
  now: Date;
  /** How many days ahead of `now` holidays are written into the spec, at least; default 400. */
  horizonDays?: number;
  /** The catalog's `dayBoundary` ("HH:MM"): fires before it belong to the previous business date. Default "00:00". */
  dayBoundary?: string;
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
  for (let index = 0; index < values.length;) {
    let last = index;
    while (last + 1 < values.length && values[last + 1] === values[last]! + 1) last++;
    const [start, end] = [values[index]!, values[last]!];
    out.push(start === end ? unit(start) : { start: unit(start), end: unit(end), step: 1 });
    index = last + 1;
  }
  return out;
}

/** A wall-clock time of day. */
interface ClockTime {
  hour: number;
  minute: number;
}

function parseBoundary(text: string): ClockTime {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) throw new RangeError(`dayBoundary must be HH:MM, got "${text}"`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/**
 * A pattern's times split at the day boundary: `sameDay` fire on their business date, `dayBefore`
 * (before the boundary) belong to the previous date. Each side is one pattern per run of hours
 * with the same minutes, so a boundary of 00:00 leaves the pattern as it is.
 */
function splitAtBoundary(pattern: TimePattern, boundary: ClockTime): { sameDay: TimePattern[]; dayBefore: TimePattern[] } {
  const early = pattern.minutes.filter((minute) => minute < boundary.minute);
  const late = pattern.minutes.filter((minute) => minute >= boundary.minute);
  const beforeHours = pattern.hours.filter((hour) => hour < boundary.hour);
  const afterHours = pattern.hours.filter((hour) => hour > boundary.hour);
  const sameDay: TimePattern[] = [];
  const dayBefore: TimePattern[] = [];
  if (pattern.hours.includes(boundary.hour)) {
    // The boundary's own hour: its minutes before the boundary belong to the day before.
    if (late.length === pattern.minutes.length) afterHours.unshift(boundary.hour);
    else if (late.length > 0) sameDay.push({ ...pattern, hours: [boundary.hour], minutes: late });
    if (early.length === pattern.minutes.length) beforeHours.push(boundary.hour);
    else if (early.length > 0) dayBefore.push({ ...pattern, hours: [boundary.hour], minutes: early });
  }
  if (afterHours.length > 0) sameDay.unshift({ ...pattern, hours: afterHours });
  if (beforeHours.length > 0) dayBefore.unshift({ ...pattern, hours: beforeHours });
  return { sameDay, dayBefore };
}

/**
 * Whole-day-of-business skip entries for an off business date: from its boundary to the end of
 * its wall-clock date, and (boundary after midnight) the next date up to the boundary. Only the
 * parts in which the spec would fire are written.
 */
function skipEntries(date: string, boundary: ClockTime, timezone: string, evaluator: SpecEvaluator, note: string): CalendarSpec[] {
  const { year, month, day } = parseIsoDate(date)!;
  const next = addDays(date, 1);
  const nextParts = parseIsoDate(next)!;
  const atBoundary = (parts: { year: number; month: number; day: number }) =>
    zonedTimeToUnix(parts.year, parts.month, parts.day, boundary.hour, boundary.minute, 0, timezone);
  const midnight = startOfLocalDay(nextParts, timezone);
  const entries: CalendarSpec[] = [];
  const every = { second: '*' as const, comment: note };
  if (boundary.hour === 0 && boundary.minute === 0) {
    if (firesWithin(evaluator, startOfLocalDay({ year, month, day }, timezone), midnight))
      entries.push({ ...dateFields(date), hour: '*', minute: '*', ...every });
    return entries;
  }
  if (firesWithin(evaluator, atBoundary({ year, month, day }), midnight)) {
    if (boundary.minute > 0) entries.push({ ...dateFields(date), hour: [boundary.hour], minute: field(span(boundary.minute, 59), 0, 59, asNumber), ...every });
    const fromHour = boundary.minute > 0 ? boundary.hour + 1 : boundary.hour;
    if (fromHour <= 23) entries.push({ ...dateFields(date), hour: field(span(fromHour, 23), 0, 23, asNumber), minute: '*', ...every });
  }
  if (firesWithin(evaluator, midnight, atBoundary(nextParts))) {
    if (boundary.hour > 0) entries.push({ ...dateFields(next), hour: field(span(0, boundary.hour - 1), 0, 23, asNumber), minute: '*', ...every });
    if (boundary.minute > 0)
      entries.push({ ...dateFields(next), hour: [boundary.hour], minute: field(span(0, boundary.minute - 1), 0, 59, asNumber), ...every });
  }
  return entries;
}

/** Does the spec fire at an instant in [start, end) (Unix seconds)? */
function firesWithin(evaluator: SpecEvaluator, start: number, end: number): boolean {
  const next = evaluator.next(start - 1);
  return next !== undefined && next < end;
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
  const boundary = parseBoundary(options.dayBoundary ?? '00:00');
  const workWeekdays = calendar.weekdays.map((name) => WEEKDAY_NAMES.indexOf(name));
  // A fire before the boundary on wall-clock weekday w belongs to weekday w - 1.
  const workWeekdaysNextMorning = workWeekdays.map((day) => (day + 1) % 7);

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
    const split = patterns.map((pattern) => splitAtBoundary(pattern, boundary));
    const sameDay = split.flatMap((parts) => parts.sameDay);
    const dayBefore = split.flatMap((parts) => parts.dayBefore);
    const narrowed = [
      ...sameDay.map((pattern) => ({ ...pattern, weekdays: pattern.weekdays.filter((day) => workWeekdays.includes(day)) })),
      ...dayBefore.map((pattern) => ({ ...pattern, weekdays: pattern.weekdays.filter((day) => workWeekdaysNextMorning.includes(day)) })),
    ].filter((pattern) => pattern.weekdays.length > 0);
    const entries = narrowed.map(calendarEntry);
    const seen = new Set(entries.map((entry) => JSON.stringify(entry)));
    const addEntry = (entry: CalendarSpec) => {
      const key = JSON.stringify(entry);
      if (!seen.has(key)) entries.push(entry);
      seen.add(key);
    };
    for (const date of [...calendar.extraWorkdays].sort()) {
      if (date < horizon.from || date > horizon.to || workWeekdays.includes(weekdayOf(date))) continue;
      const note = comment(`${calendarName}: extra workday`);
      for (const pattern of sameDay.filter((candidate) => matchesDate(candidate, date)))
        addEntry({ ...dateFields(date), ...timeFields(pattern), comment: note });
      // Its fires before the boundary are on the next wall-clock date.
      const nextDate = addDays(date, 1);
      for (const pattern of dayBefore.filter((candidate) => matchesDate(candidate, nextDate)))
        addEntry({ ...dateFields(nextDate), ...timeFields(pattern), comment: note });
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

  // Only business days on which the spec would actually fire need a skip entry.
  const evaluator = new SpecEvaluator(base);
  const skip: CalendarSpec[] = [];
  for (const date of datesBetween(horizon.from, horizon.to)) {
    const reason = offDayReason(calendar, date);
    if (reason === undefined) continue;
    skip.push(...skipEntries(date, boundary, timezone, evaluator, comment(`${calendarName}: ${reason}`)));
  }
  const spec: ScheduleSpec = { ...base };
  if (moves.length > 0) spec.calendars = [...(base.calendars ?? []), ...moves];
  if (skip.length > 0) spec.skip = skip;
  return { spec, policies, state, horizon };
}
