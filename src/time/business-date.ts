/**
 * The business date of an instant: its calendar date in the catalog's time zone, shifted back
 * one day while the wall clock is before `dayBoundary` (a 02:00 run with a 05:00 boundary
 * belongs to the day before).
 */
export function businessDateAt(instant: Date, timezone: string, dayBoundary = '00:00'): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  ) as Record<string, string>;
  const [boundaryHour = 0, boundaryMinute = 0] = dayBoundary.split(':').map(Number);
  const minutes = Number(parts.hour) * 60 + Number(parts.minute);
  const date = new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)));
  if (minutes < boundaryHour * 60 + boundaryMinute) date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}

export function isValidTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
