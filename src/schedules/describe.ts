import type { Schedule } from '../catalog/schedule-schema';
import { formatDuration } from '../catalog/duration';
import { formatClock } from './clock';
import { WEEKDAY_NAMES } from './plain-date';

/**
 * A schedule in words for listings: "daily at 03:00 Asia/Tokyo, business days (jp-business)",
 * "every 1h", "cron 0 3 * * *". The zone is the schedule's own, else `defaults.timezone` when
 * given; intervals run in absolute time and show none.
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
  }
  const extras: string[] = [];
  if (schedule.calendar !== undefined) extras.push(`business days (${schedule.calendar})`);
  if (schedule.overlap !== 'skip') extras.push(`overlap ${schedule.overlap}`);
  if (!schedule.enabled) extras.push('disabled');
  return [words, ...extras].join(', ');
}
