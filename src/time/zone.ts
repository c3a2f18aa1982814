/**
 * Wall-clock time in an IANA time zone, from Intl alone. Instants are whole Unix seconds,
 * the resolution Temporal schedules work in.
 *
 * `zonedTimeToUnix` reproduces Go's `time.Date` exactly, including its choices for wall
 * times that a DST change skips or repeats, because the offline evaluator must land on the
 * very second the Temporal server (Go) computes.
 */

export interface LocalTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The zone's UTC offset at an instant, in seconds east of Greenwich. */
export function offsetAt(unixSeconds: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(unixSeconds * 1_000)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) / 1_000;
  return wall - unixSeconds;
}

/** The wall-clock fields of an instant in a zone (Go: `t.In(loc)`). */
export function localTime(unixSeconds: number, timeZone: string): LocalTime {
  const wall = new Date((unixSeconds + offsetAt(unixSeconds, timeZone)) * 1_000);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: wall.getUTCDay(),
  };
}

/**
 * The instant of a wall-clock time in a zone, as Go's `time.Date(y, mo, d, h, mi, s, 0, loc)`
 * gives it: out-of-range fields roll over; the offset is looked up at the wall time read as
 * UTC, and looked up again at the resulting instant when that falls in another zone period.
 * So a skipped time (02:30 on a spring-forward day) and a repeated one (01:30 on a fall-back
 * day) resolve the way the Temporal server resolves them.
 */
export function zonedTimeToUnix(year: number, month: number, day: number, hour: number, minute: number, second: number, timeZone: string): number {
  const unix = Date.UTC(year, month - 1, day, hour, minute, second) / 1_000;
  const first = offsetAt(unix, timeZone);
  const settled = offsetAt(unix - first, timeZone);
  // Same offset: `unix - first` lies in the period Go found first (or in one with the same
  // offset, which gives the same answer). Otherwise Go takes the offset at `unix - first`.
  return unix - settled;
}

/**
 * The first instant whose wall-clock date in the zone is `date` or later: local midnight,
 * or the end of the DST gap where midnight does not exist.
 */
export function startOfLocalDay(date: { year: number; month: number; day: number }, timeZone: string): number {
  const target = Date.UTC(date.year, date.month - 1, date.day) / 1_000;
  const localDateOf = (t: number) => {
    const local = localTime(t, timeZone);
    return Date.UTC(local.year, local.month - 1, local.day) / 1_000;
  };
  // Nearly always local midnight exists and this is it.
  const midnight = zonedTimeToUnix(date.year, date.month, date.day, 0, 0, 0, timeZone);
  if (localDateOf(midnight) === target && localDateOf(midnight - 1) < target) return midnight;
  // Otherwise (midnight skipped or repeated): offsets stay within ±26 h, so the answer lies
  // in this window; bisect to the second.
  let low = target - 26 * 3_600;
  let high = target + 26 * 3_600;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (localDateOf(middle) >= target) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * The zone name with the letter case the tz database uses: Intl accepts "asia/tokyo", the
 * Temporal server (Go) does not. Names Intl maps to another zone are kept as written.
 */
export function canonicalTimeZone(name: string): string {
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}
