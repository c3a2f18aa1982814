/**
 * Five-field cron expressions ("m h dom mon dow") as crontab(5) writes them: `*`, lists,
 * ranges, steps, month and weekday names, 7 for Sunday, and the @daily-style shorthands.
 * Parsed into the sets of values each field allows, which the schedule compiler turns into
 * Temporal's structured calendars. Pure, so the catalog schema can use it.
 */

export interface CronFields {
  /** Sorted, without duplicates. */
  minute: number[];
  hour: number[];
  /** 1–31 */
  dayOfMonth: number[];
  /** 1–12 */
  month: number[];
  /** 0 = Sunday … 6 = Saturday (a 7 in the expression is Sunday too). */
  dayOfWeek: number[];
  /**
   * cron(8) treats the two day fields specially: when both are restricted (neither starts
   * with `*`) a day matches if EITHER matches ("0 3 1 * mon" = the 1st and every Monday);
   * otherwise both must match. Temporal's calendars always need both, so the compiler splits
   * an `either` expression into two calendars.
   */
  dayMatch: 'both' | 'either';
}

export type CronParseResult = { ok: true; fields: CronFields } | { ok: false; problem: string };

interface FieldRule {
  name: string;
  min: number;
  max: number;
  /** Names accepted for values, index + offset = value. */
  names?: readonly string[];
  nameOffset?: number;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const RULES: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, nameOffset: 1 },
  // 0–7: both 0 and 7 are Sunday, as in crontab(5).
  { name: 'day-of-week', min: 0, max: 7, names: DAY_NAMES, nameOffset: 0 },
];

const SHORTHANDS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

class CronProblem extends Error {}

function parseValue(text: string, rule: FieldRule): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < rule.min || value > rule.max) throw new CronProblem(`${rule.name} ${value} is out of range ${rule.min}-${rule.max}`);
    return value;
  }
  const index = rule.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index >= 0) return index + (rule.nameOffset ?? 0);
  const names = rule.names ? ` or a name ${rule.names[0]}-${rule.names[rule.names.length - 1]}` : '';
  throw new CronProblem(`${rule.name} "${text}" is not a number ${rule.min}-${rule.max}${names}`);
}

/** The values of one comma-separated entry: `*`, `v`, `a-b`, each optionally `/step`. */
function parseEntry(entry: string, rule: FieldRule, field: string): number[] {
  if (entry === '') throw new CronProblem(`${rule.name} "${field}" has an empty entry`);
  const [range = '', stepText, extra] = entry.split('/');
  if (extra !== undefined) throw new CronProblem(`${rule.name} "${entry}" has more than one "/"`);
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) < 1) throw new CronProblem(`${rule.name} step "/${stepText}" must be a whole number of at least 1`);
    step = Number(stepText);
  }
  let start: number;
  let end: number;
  if (range === '*') {
    [start, end] = [rule.min, rule.max];
  } else if (range.includes('-')) {
    const [first = '', last = '', more] = range.split('-');
    if (more !== undefined) throw new CronProblem(`${rule.name} range "${range}" has more than one "-"`);
    [start, end] = [parseValue(first, rule), parseValue(last, rule)];
    if (end < start) throw new CronProblem(`${rule.name} range "${range}" runs backwards; write the smaller value first`);
  } else {
    start = parseValue(range, rule);
    // "5/15" means from 5 to the end of the field every 15, as in most crons and in Temporal.
    end = stepText === undefined ? start : rule.max;
  }
  const values: number[] = [];
  for (let value = start; value <= end; value += step) values.push(value);
  return values;
}

function parseField(field: string, rule: FieldRule): number[] {
  const values = new Set<number>();
  for (const entry of field.split(',')) {
    for (const value of parseEntry(entry, rule, field)) values.add(rule.name === 'day-of-week' && value === 7 ? 0 : value);
  }
  return [...values].sort((a, b) => a - b);
}

export function parseCron(expression: string): CronParseResult {
  const trimmed = expression.trim();
  const text = SHORTHANDS[trimmed.toLowerCase()] ?? trimmed;
  if (text.startsWith('@')) {
    return { ok: false, problem: `"${trimmed}" is not a cron shorthand; use one of ${Object.keys(SHORTHANDS).join(', ')} or five fields` };
  }
  const fields = text.split(/\s+/).filter((part) => part !== '');
  if (fields.length !== 5) {
    return {
      ok: false,
      problem: `"${trimmed}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron expression has 5: minute hour day-of-month month day-of-week`,
    };
  }
  try {
    const [minute, hour, dayOfMonth, month, dayOfWeek] = fields.map((field, index) => parseField(field, RULES[index]!)) as [
      number[],
      number[],
      number[],
      number[],
      number[],
    ];
    const domStar = fields[2]!.startsWith('*');
    const dowStar = fields[4]!.startsWith('*');
    return { ok: true, fields: { minute, hour, dayOfMonth, month, dayOfWeek, dayMatch: domStar || dowStar ? 'both' : 'either' } };
  } catch (error) {
    if (error instanceof CronProblem) return { ok: false, problem: error.message };
    throw error;
  }
}
