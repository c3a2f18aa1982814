/** Times of day written "HH:MM" (24-hour clock), as in `daily: "03:00"`. */

export interface ClockTime {
  hour: number;
  minute: number;
}

const CLOCK = /^(\d{1,2}):(\d{2})$/;

/** The time of day, or undefined when the text is not one from 00:00 to 23:59. */
export function parseClock(text: string): ClockTime | undefined {
  const match = CLOCK.exec(text.trim());
  if (!match) return undefined;
  const [hour, minute] = [Number(match[1]), Number(match[2])];
  if (hour > 23 || minute > 59) return undefined;
  return { hour, minute };
}

export function formatClock({ hour, minute }: ClockTime): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}
