import { z } from 'zod';
import { isValidTimeZone } from '../../time/business-date';
import { formatDuration, positiveDuration } from '../../time/duration';
import { parseCron } from '../../time/cron';
import { formatClock, parseClock } from '../../time/clock';
import { WEEKDAY_NAMES } from '../../time/plain-date';
import { canonicalTimeZone } from '../../time/zone';

/**
 * When a job or jobnet runs (DESIGN.md §4 `schedule:`): exactly one of the forms
 * `{ cron }`, `{ daily }`, `{ weekly }`, `{ monthly }`, `{ interval }`,
 * `{ businessDay, at }` (the Nth business day of each month), and how to run it.
 * The parsed form lands in `when`, a union tagged by `kind`, so the compiler and the CLI never
 * parse the text again; `text` keeps what the operator wrote, for messages and listings.
 * `holidayShift` says where a fire on a non-business day of the calendar goes.
 *
 * Pure (no Node APIs), like the other catalog schemas.
 */

export const SCHEDULE_FORMS = ['cron', 'daily', 'weekly', 'monthly', 'interval', 'businessDay'] as const;
export type ScheduleForm = (typeof SCHEDULE_FORMS)[number];

export const OVERLAP_POLICIES = ['skip', 'buffer', 'allow', 'cancel'] as const;

/** skip: a fire on a non-business day does not run (the default); next / previous: it moves there. */
export const HOLIDAY_SHIFTS = ['skip', 'next', 'previous'] as const;

/**
 * A month has at most 23 weekdays, so with a Monday–Friday week the 24th business day never
 * comes; a larger number is a typo more likely than a six-day week's rare 24th–27th.
 */
export const MAX_BUSINESS_DAY = 23;

/** Temporal raises a shorter catch-up window to this silently; better to say so up front. */
export const MIN_CATCHUP_WINDOW_MS = 10_000;

const quoted = (value: unknown): string => JSON.stringify(value) ?? String(value);
const CLOCK_HINT = 'HH:MM from 00:00 to 23:59';

const cronForm = z
  .string({ error: (issue) => `${quoted(issue.input)} is not a cron expression; write five fields in quotes, e.g. "0 3 * * *"` })
  .transform((text, ctx) => {
    const parsed = parseCron(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    return { kind: 'cron' as const, text: text.trim(), fields: parsed.fields };
  });

const dailyForm = z
  .string({ error: (issue) => `${quoted(issue.input)} is not a time of day; write "HH:MM" in quotes, e.g. "03:00"` })
  .transform((text, ctx) => {
    const at = parseClock(text);
    if (!at) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a time of day; write ${CLOCK_HINT}` });
      return z.NEVER;
    }
    return { kind: 'daily' as const, text: text.trim(), at };
  });

const weeklyForm = z
  .string({ error: (issue) => `${quoted(issue.input)} is not a weekly time; write days and a time, e.g. "sun 03:00" or "mon,wed,fri 03:00"` })
  .transform((text, ctx) => {
    const parts = text.trim().split(/\s+/);
    if (parts.length !== 2) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a weekly time; write days and a time, e.g. "sun 03:00" or "mon,wed,fri 03:00"` });
      return z.NEVER;
    }
    const [dayList = '', clock = ''] = parts;
    const days: number[] = [];
    let valid = true;
    const problem = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      valid = false;
    };
    for (const name of dayList.split(',')) {
      const day = (WEEKDAY_NAMES as readonly string[]).indexOf(name.toLowerCase());
      if (day < 0) problem(`"${name}" is not a day; write ${WEEKDAY_NAMES.join(', ')} (a list like mon,wed,fri)`);
      else if (days.includes(day)) problem(`${WEEKDAY_NAMES[day]} is listed twice`);
      else days.push(day);
    }
    const at = parseClock(clock);
    if (!at) problem(`"${clock}" is not a time of day; write ${CLOCK_HINT}`);
    if (!at || !valid) return z.NEVER;
    return { kind: 'weekly' as const, text: text.trim(), days: days.sort((a, b) => a - b), at };
  });

const monthlyForm = z
  .string({ error: (issue) => `${quoted(issue.input)} is not a monthly time; write a day of the month and a time, e.g. "1 04:00"` })
  .transform((text, ctx) => {
    const match = /^(\d{1,2})\s+(\S+)$/.exec(text.trim());
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a monthly time; write a day of the month and a time, e.g. "1 04:00"` });
      return z.NEVER;
    }
    const day = Number(match[1]);
    const at = parseClock(match[2]!);
    // Like cron, day 29–31 fires only in months that have that day.
    if (day < 1 || day > 31) ctx.addIssue({ code: 'custom', message: `day ${day} is out of range 1-31` });
    if (!at) ctx.addIssue({ code: 'custom', message: `"${match[2]}" is not a time of day; write ${CLOCK_HINT}` });
    if (!at || day < 1 || day > 31) return z.NEVER;
    return { kind: 'monthly' as const, text: text.trim(), day, at };
  });

const businessDayForm = z
  .number({ error: (issue) => `${quoted(issue.input)} is not a business day number; write 1 for the first business day of the month, -1 for the last` })
  .refine((n) => Number.isInteger(n) && n !== 0 && Math.abs(n) <= MAX_BUSINESS_DAY, {
    error: (issue) =>
      `businessDay ${quoted(issue.input)} is out of range; write 1 to ${MAX_BUSINESS_DAY} (the Nth business day of the month) or -1 to -${MAX_BUSINESS_DAY} (-1 the last, -2 the second to last)`,
  });

const atClock = z.string({ error: (issue) => `${quoted(issue.input)} is not a time of day; write "HH:MM" in quotes, e.g. "04:00"` }).transform((text, ctx) => {
  const at = parseClock(text);
  if (!at) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a time of day; write ${CLOCK_HINT}` });
    return z.NEVER;
  }
  return at;
});

const intervalForm = z
  .union([z.string(), z.number()], { error: (issue) => `${quoted(issue.input)} is not a duration; write e.g. 90s, 6m, 2h, 1d or a number of seconds` })
  .transform((raw, ctx) => {
    const parsed = positiveDuration.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
      return z.NEVER;
    }
    // Temporal counts intervals in whole seconds and refuses anything under one.
    if (parsed.data < 1_000 || parsed.data % 1_000 !== 0) {
      ctx.addIssue({ code: 'custom', message: `an interval is a whole number of seconds, at least 1s; got "${raw}"` });
      return z.NEVER;
    }
    return { kind: 'interval' as const, text: String(raw), everyMs: parsed.data };
  });

export const timeZoneSchema = z
  .string({ error: (issue) => `${quoted(issue.input)} is not a time zone; use an IANA name such as Asia/Tokyo` })
  .transform((name, ctx) => {
    if (!isValidTimeZone(name)) {
      ctx.addIssue({ code: 'custom', message: `unknown time zone "${name}"; use an IANA name such as Asia/Tokyo` });
      return z.NEVER;
    }
    // The server's zone database is case-sensitive where Intl is not: send "Asia/Tokyo".
    return canonicalTimeZone(name);
  });

const catchupWindowSchema = positiveDuration.refine((ms) => ms >= MIN_CATCHUP_WINDOW_MS, {
  error: (issue) =>
    `a catch-up window under 10s is raised to 10s by Temporal; write at least 10s (got ${typeof issue.input === 'number' ? formatDuration(issue.input) : String(issue.input)})`,
});

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const formsGiven = (value: unknown): ScheduleForm[] => (isRecord(value) ? SCHEDULE_FORMS.filter((form) => value[form] !== undefined) : []);
const FORM_LIST = 'cron, daily, weekly, monthly, interval or businessDay';
const SHIFTABLE_FORMS = ['cron', 'daily', 'weekly', 'monthly'] as const;
const hasKey = (value: unknown, key: string): boolean => isRecord(value) && value[key] !== undefined;

export const scheduleSchema = z
  .strictObject({
    cron: cronForm.optional(),
    daily: dailyForm.optional(),
    weekly: weeklyForm.optional(),
    monthly: monthlyForm.optional(),
    interval: intervalForm.optional(),
    /** The Nth business day of each month of `calendar` (1 the first, -1 the last), at `at`. */
    businessDay: businessDayForm.optional(),
    /** The time of day of a `businessDay` rule. */
    at: atClock.optional(),
    /** Where a fire on a non-business day of `calendar` goes; default skip. */
    holidayShift: z.enum(HOLIDAY_SHIFTS, { error: (issue) => `${quoted(issue.input)} is not a holiday shift; use ${HOLIDAY_SHIFTS.join(', ')}` }).optional(),
    /** Name of a catalog calendar: the schedule fires on its business days only. */
    calendar: z.string().min(1, 'name a calendar of the catalog, e.g. jp-business').optional(),
    /** IANA zone of the times; default: the catalog's `timezone`. */
    timezone: timeZoneSchema.optional(),
    /** What to do when a run is still going at the next fire time. */
    overlap: z
      .enum(OVERLAP_POLICIES, { error: (issue) => `${quoted(issue.input)} is not an overlap policy; use ${OVERLAP_POLICIES.join(', ')}` })
      .default('skip'),
    /** How late a fire missed during an outage may still start; Temporal's default is a year. */
    catchupWindow: catchupWindowSchema.optional(),
    /** false: the schedule exists on the server but is paused. */
    enabled: z.boolean().default(true),
    /** Shown with the schedule (e.g. why it is disabled). */
    note: z.string().optional(),
  })
  // Runs even when a field failed, so "two forms" is reported together with the field errors.
  .refine((value) => formsGiven(value).length === 1, {
    when: (payload) => isRecord(payload.value),
    error: (issue) => {
      const given = formsGiven(issue.input);
      return given.length === 0
        ? `a schedule needs one of ${FORM_LIST}, e.g. { daily: "03:00" }`
        : `a schedule takes exactly one of ${FORM_LIST}; this one has ${given.join(' and ')}`;
    },
  })
  // The business-day keys only make sense together; each rule reports at the key to change.
  .refine((value) => !hasKey(value, 'businessDay') || hasKey(value, 'at'), {
    when: (payload) => isRecord(payload.value),
    error: 'a businessDay rule needs its time of day: add at: "HH:MM", e.g. { businessDay: -1, at: "22:00", calendar: jp-business }',
  })
  .refine((value) => !hasKey(value, 'at') || hasKey(value, 'businessDay'), {
    when: (payload) => isRecord(payload.value),
    path: ['at'],
    error: 'at is the time of a businessDay rule; the other forms carry their own time, e.g. daily: "03:00"',
  })
  .refine((value) => !hasKey(value, 'businessDay') || hasKey(value, 'calendar'), {
    when: (payload) => isRecord(payload.value),
    error: 'a businessDay rule counts the business days of a calendar; name one, e.g. calendar: jp-business',
  })
  .refine((value) => !hasKey(value, 'holidayShift') || hasKey(value, 'calendar'), {
    when: (payload) => isRecord(payload.value),
    path: ['holidayShift'],
    error: 'holidayShift moves runs off the non-business days of a calendar; name one (e.g. calendar: jp-business) or drop holidayShift',
  })
  .refine((value) => value.holidayShift === undefined || value.holidayShift === 'skip' || SHIFTABLE_FORMS.some((form) => hasKey(value, form)), {
    when: (payload) => isRecord(payload.value) && formsGiven(payload.value).length === 1,
    path: ['holidayShift'],
    error: (issue) =>
      hasKey(issue.input, 'businessDay')
        ? 'a businessDay rule always lands on a business day; holidayShift does not apply to it'
        : 'an interval has no date to move; holidayShift works on daily, weekly, monthly and cron schedules',
  })
  .transform(({ cron, daily, weekly, monthly, interval, businessDay, at, holidayShift, ...rest }, ctx) => {
    const nth =
      businessDay !== undefined && at !== undefined
        ? { kind: 'businessDay' as const, text: `${businessDay} at ${formatClock(at)}`, nth: businessDay, at }
        : undefined;
    const when = cron ?? daily ?? weekly ?? monthly ?? interval ?? nth;
    if (when === undefined) {
      // Unreachable after the refines above; kept so the type of `when` needs no assertion.
      ctx.addIssue({ code: 'custom', message: `a schedule needs one of ${FORM_LIST}` });
      return z.NEVER;
    }
    return { when, holidayShift: holidayShift ?? 'skip', ...rest };
  });

export type Schedule = z.output<typeof scheduleSchema>;
export type ScheduleInput = z.input<typeof scheduleSchema>;
export type ScheduleTimes = Schedule['when'];
