import type { Schedule } from '../catalog/schema/schedule-schema';
import { formatDuration } from '../time/duration';
import { formatClock } from '../time/clock';
import { WEEKDAY_NAMES } from '../time/plain-date';

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st, 22nd, 23rd. */
function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** "1st", "3rd", "last", "2nd to last" business day. */
function businessDayInWords(nth: number): string {
  if (nth === -1) return 'last';
  return nth > 0 ? ordinal(nth) : `${ordinal(-nth)} to last`;
}

/**
 * A schedule in words for listings: "daily at 03:00 Asia/Tokyo, business days (jp-business)",
 * "last business day of the month at 22:00 Asia/Tokyo (jp-business)", "every 1h",
 * "cron 0 3 * * *". The zone is the schedule's own, else `defaults.timezone` when given;
 * intervals run in absolute time and show none.
 */
export function describeSchedule(schedule: Schedule, defaults: { timezone?: string } = {}): string {
  const { when } = schedule;
  const zone = schedule.timezone ?? defaults.timezone;
  const inZone = (text: string) => (zone ? `${text} ${zone}` : text);
  let words: string;
  switch (when.kind) {
    case 'cron':
      words = inZone(`cron ${when.text}`);
      break;
    case 'daily':
      words = inZone(`daily at ${formatClock(when.at)}`);
      break;
    case 'weekly':
      words = inZone(`weekly on ${when.days.map((day) => WEEKDAY_NAMES[day]).join(', ')} at ${formatClock(when.at)}`);
      break;
    case 'monthly':
      words = inZone(`monthly on day ${when.day} at ${formatClock(when.at)}`);
      break;
    case 'interval':
      words = `every ${formatDuration(when.everyMs)}`;
      break;
    case 'businessDay':
      words = `${inZone(`${businessDayInWords(when.nth)} business day of the month at ${formatClock(when.at)}`)} (${schedule.calendar})`;
      break;
  }
  const extras: string[] = [];
  // A businessDay rule names its calendar in its own words above.
  if (schedule.calendar !== undefined && when.kind !== 'businessDay') {
    extras.push(
      schedule.holidayShift === 'skip'
        ? `business days (${schedule.calendar})`
        : `moved to the ${schedule.holidayShift} business day when it is not one (${schedule.calendar})`,
    );
  }
  if (schedule.overlap !== 'skip') extras.push(`overlap ${schedule.overlap}`);
  if (!schedule.enabled) extras.push('disabled');
  return [words, ...extras].join(', ');
}
