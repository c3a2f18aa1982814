/**
 * Fire times of a Temporal `ScheduleSpec`, computed offline the way the server computes them.
 *
 * The spec is first encoded with the SDK's own encoder (the one `client.schedule.create`
 * sends), so defaults and range quirks are the wire's, not a second reading of the types.
 * The rest is a port of the server's `service/worker/scheduler` (spec.go `GetNextTime`,
 * calendar.go `next` and `matches`, Temporal 1.29): structured calendars matched field by
 * field in the spec's time zone, with its handling of DST gaps and repeated hours; intervals
 * counted from the Unix epoch; skip calendars; start and end times. Jitter and cron strings are
 * not modelled (jobnet never emits them) and are refused rather than guessed.
 */
import { encodeScheduleSpec } from '@temporalio/client/lib/schedule-helpers';
import type { ScheduleSpec } from '@temporalio/client';
import { localTime, zonedTimeToUnix } from '../time/zone';

type WireSpec = ReturnType<typeof encodeScheduleSpec>;
type WireCalendar = NonNullable<WireSpec['structuredCalendar']>[number];
type WireRange = NonNullable<WireCalendar['second']>[number];
type WireDuration = NonNullable<WireSpec['jitter']>;

// calendar.go: years outside this range never match.
const MIN_CALENDAR_YEAR = 2000;
const MAX_CALENDAR_YEAR = 2100;

type Matcher = (value: number) => boolean;

/** The values a list of ranges allows (calendar.go iterateRanges). */
function rangeValues(ranges: readonly WireRange[]): number[] {
  const values: number[] = [];
  for (const range of ranges) {
    const start = range.start ?? 0;
    const step = range.step || 1;
    const end = Math.max(range.end ?? 0, start);
    for (let value = start; value <= end; value += step) values.push(value);
  }
  return values;
}

function matcher(ranges: readonly WireRange[] | null | undefined, emptyMatchesAll: boolean): Matcher {
  // The year is the one field whose empty list means "any" (makeYearMatcher).
  if (emptyMatchesAll && (!ranges || ranges.length === 0)) return () => true;
  const allowed = new Set(rangeValues(ranges ?? []));
  return (value) => allowed.has(value);
}

/** spec.go validateStructuredCalendar: the server marks a schedule with these errors invalid. */
function validateCalendar(calendar: WireCalendar): void {
  const problems: string[] = [];
  const check = (ranges: readonly WireRange[] | null | undefined, field: string, min: number, max: number) => {
    for (const range of ranges ?? []) {
      const [start, end, step] = [range.start ?? 0, range.end ?? 0, range.step ?? 0];
      if (start < min || start > max) problems.push(`${field} Start is not in range [${min}-${max}]`);
      if (end !== 0 && (end < start || end > max)) problems.push(`${field} End is before Start or not in range [${min}-${max}]`);
      if (step < 0) problems.push(`${field} has invalid Step`);
    }
  };
  check(calendar.second, 'Second', 0, 59);
  check(calendar.minute, 'Minute', 0, 59);
  check(calendar.hour, 'Hour', 0, 23);
  check(calendar.dayOfMonth, 'DayOfMonth', 1, 31);
  check(calendar.month, 'Month', 1, 12);
  check(calendar.year, 'Year', MIN_CALENDAR_YEAR, MAX_CALENDAR_YEAR);
  check(calendar.dayOfWeek, 'DayOfWeek', 0, 6);
  if (problems.length > 0) throw new Error(`invalid calendar spec: ${problems.join(', ')}`);
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(month: number, year: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

class CompiledCalendar {
  private readonly year: Matcher;
  private readonly month: Matcher;
  private readonly dayOfMonth: Matcher;
  private readonly dayOfWeek: Matcher;
  private readonly hour: Matcher;
  private readonly minute: Matcher;
  private readonly second: Matcher;

  constructor(
    calendar: WireCalendar,
    private readonly timeZone: string,
  ) {
    validateCalendar(calendar);
    this.year = matcher(calendar.year, true);
    this.month = matcher(calendar.month, false);
    this.dayOfMonth = matcher(calendar.dayOfMonth, false);
    this.dayOfWeek = matcher(calendar.dayOfWeek, false);
    this.hour = matcher(calendar.hour, false);
    this.minute = matcher(calendar.minute, false);
    this.second = matcher(calendar.second, false);
  }

  matches(unix: number): boolean {
    const t = localTime(unix, this.timeZone);
    return (
      this.year(t.year) &&
      this.month(t.month) &&
      this.dayOfMonth(t.day) &&
      this.dayOfWeek(t.weekday) &&
      this.hour(t.hour) &&
      this.minute(t.minute) &&
      this.second(t.second)
    );
  }

  private date(y: number, mo: number, d: number, h: number, m: number, s: number): number {
    return zonedTimeToUnix(y, mo, d, h, m, s, this.timeZone);
  }

  /** The first matching second after `after`, or undefined (calendar.go `next`, line by line). */
  next(after: number): number | undefined {
    const start = localTime(after, this.timeZone);
    let [y, mo, d, h, m, s] = [start.year, start.month, start.day, start.hour, start.minute, start.second];
    // In the second copy of an hour that a fall-back repeats, results are an hour later than
    // the wall clock says.
    let dstOffset = localTime(after - 3_600, this.timeZone).hour === h ? 3_600 : 0;
    s++;
    outer: for (;;) {
      if (s >= 60) [m, s] = [m + 1, 0];
      if (m >= 60) {
        const previous = this.date(y, mo, d, h, 0, 0);
        [h, m] = [h + 1, 0];
        const following = this.date(y, mo, d, h, 0, 0);
        // Two hours between consecutive hour marks: a repeated hour was jumped; visit its copy.
        if (dstOffset === 0 && following - previous > 3_600) {
          h -= 1;
          dstOffset = 3_600;
        } else {
          dstOffset = 0;
        }
      }
      if (h >= 24) [d, h] = [d + 1, 0];
      if (d > daysInMonth(mo, y)) [mo, d] = [mo + 1, 1];
      if (mo > 12) [y, mo] = [y + 1, 1];
      if (y > MAX_CALENDAR_YEAR) break;
      if (!this.year(y)) {
        [y, mo, d, h, m, s, dstOffset] = [y + 1, 1, 1, 0, 0, 0, 0];
        continue outer;
      }
      while (!this.month(mo)) {
        [mo, d, h, m, s, dstOffset] = [mo + 1, 1, 0, 0, 0, 0];
        if (mo > 12) continue outer;
      }
      while (!this.dayOfMonth(d) || !this.dayOfWeek(localTime(this.date(y, mo, d, h, m, s), this.timeZone).weekday)) {
        [d, h, m, s, dstOffset] = [d + 1, 0, 0, 0, 0];
        if (d > daysInMonth(mo, y)) continue outer;
      }
      while (!this.hour(h)) {
        [h, m, s, dstOffset] = [h + 1, 0, 0, 0];
        if (h >= 24) continue outer;
      }
      while (!this.minute(m)) {
        [m, s] = [m + 1, 0];
        if (m >= 60) continue outer;
      }
      while (!this.second(s)) {
        s += 1;
        if (s >= 60) continue outer;
      }
      const candidate = this.date(y, mo, d, h, m, s);
      // A wall time skipped by a spring-forward resolves to another hour: not a real match.
      if (localTime(candidate, this.timeZone).hour !== h) {
        [h, m, s] = [h + 1, 0, 0];
        continue outer;
      }
      return candidate + dstOffset;
    }
    return undefined;
  }
}

function seconds(duration: WireDuration | null | undefined): number {
  if (!duration) return 0;
  // Go's time.Duration / time.Second truncates toward zero.
  return Math.trunc((duration.seconds?.toNumber() ?? 0) + (duration.nanos ?? 0) / 1e9);
}

interface Interval {
  every: number;
  phase: number;
}

/** A compiled schedule spec: `next` is the server's `GetNextTime(…).Next` for a spec without jitter. */
export class SpecEvaluator {
  private readonly calendars: CompiledCalendar[];
  private readonly skips: CompiledCalendar[];
  private readonly intervals: Interval[];
  private readonly startTime: number;
  private readonly endTime: number | undefined;

  constructor(spec: ScheduleSpec) {
    const wire = encodeScheduleSpec(spec);
    if ((wire.cronString ?? []).length > 0) throw new Error('the offline evaluator does not read cron strings; express them as calendars');
    if (seconds(wire.jitter) > 0 || (wire.jitter?.nanos ?? 0) > 0) throw new Error('the offline evaluator does not model jitter');
    const timeZone = wire.timezoneName || 'UTC';
    this.calendars = (wire.structuredCalendar ?? []).map((calendar) => new CompiledCalendar(calendar, timeZone));
    this.skips = (wire.excludeStructuredCalendar ?? []).map((calendar) => new CompiledCalendar(calendar, timeZone));
    this.intervals = (wire.interval ?? []).map((interval) => {
      const [every, phase] = [seconds(interval.interval), seconds(interval.phase)];
      // spec.go validateInterval
      if (every < 1) throw new Error('interval is too small');
      if (phase < 0 || phase >= every) throw new Error('phase must be from 0 to less than the interval');
      return { every, phase };
    });
    this.startTime = wire.startTime?.seconds?.toNumber() ?? 0;
    this.endTime = wire.endTime ? (wire.endTime.seconds?.toNumber() ?? 0) : undefined;
  }

  /** The earliest time of any calendar or interval after `after` (spec.go rawNextTime). */
  private rawNext(after: number): number | undefined {
    let earliest: number | undefined;
    for (const calendar of this.calendars) {
      const next = calendar.next(after);
      if (next !== undefined && (earliest === undefined || next < earliest)) earliest = next;
    }
    for (const { every, phase } of this.intervals) {
      const next = (Math.trunc((after - phase) / every) + 1) * every + phase;
      if (earliest === undefined || next < earliest) earliest = next;
    }
    return earliest;
  }

  private skipped(unix: number): boolean {
    return this.skips.some((skip) => skip.matches(unix));
  }

  /** The next fire time after `after` (Unix seconds), or undefined when there is none. */
  next(after: number): number | undefined {
    // Just before the start time, so that a start time that matches still fires.
    let cursor = Math.max(after, this.startTime - 1);
    for (;;) {
      const nominal = this.rawNext(cursor);
      if (nominal === undefined) return undefined;
      if ((this.endTime !== undefined && nominal > this.endTime) || new Date(nominal * 1_000).getUTCFullYear() > MAX_CALENDAR_YEAR) return undefined;
      if (!this.skipped(nominal)) return nominal;
      cursor = nominal;
    }
  }

  /** The next `count` fire times after `from`, as the server lists them (`info.nextActionTimes`). */
  upcoming(from: Date, count: number): Date[] {
    const out: Date[] = [];
    // The server works in whole seconds and drops the fraction of its starting instant.
    let cursor: number | undefined = Math.floor(from.getTime() / 1_000);
    while (out.length < count) {
      cursor = this.next(cursor);
      if (cursor === undefined) break;
      out.push(new Date(cursor * 1_000));
    }
    return out;
  }
}
