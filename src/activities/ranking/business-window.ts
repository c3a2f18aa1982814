/**
 * SQL for the instants bounding business dates: a business date is a calendar date in the
 * catalog's time zone, while orders carry absolute times. `$date`, `$days` and `$zone` are the
 * parameter numbers of the date, the window length in days and the IANA zone.
 */
export function windowStart(date: string, days: string, zone: string): string {
  return `((${date}::date - (${days}::int - 1))::timestamp AT TIME ZONE ${zone})`;
}

export function windowEnd(date: string, zone: string): string {
  return `((${date}::date + 1)::timestamp AT TIME ZONE ${zone})`;
}
