import { offsetAt } from '../time/zone';

/** `2026-12-28T03:00:00+09:00`: an instant as operators of that zone read it. */
export function isoInZone(instant: Date, timeZone: string): string {
  const seconds = Math.floor(instant.getTime() / 1_000);
  const offset = offsetAt(seconds, timeZone);
  const wall = new Date((seconds + offset) * 1_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 3_600)).padStart(2, '0');
  const mm = String(Math.floor((abs % 3_600) / 60)).padStart(2, '0');
  return `${wall}${sign}${hh}:${mm}`;
}

/** `2026-12-28 03:00:05+09:00`: the same, as CLI tables and trees print it. */
export function readableInZone(instant: Date | string, timeZone: string): string {
  return isoInZone(typeof instant === 'string' ? new Date(instant) : instant, timeZone).replace('T', ' ');
}
