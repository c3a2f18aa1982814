import { z } from 'zod';
import { durationToMs } from './duration-format';

export { durationToMs, formatDuration } from './duration-format';

/** A duration that must be greater than zero; parses to milliseconds. */
export const positiveDuration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = durationToMs(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a duration; write e.g. 90s, 6m, 2h, 1d or a number of seconds`,
    });
    return z.NEVER;
  }
  if (ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `must be greater than zero, got "${value}"` });
    return z.NEVER;
  }
  return Math.round(ms);
});

/** A duration as a run input carries it: parsed already, a whole number of milliseconds. */
export const milliseconds = z.int({ error: 'a duration in a run input is a whole number of milliseconds' }).positive('must be greater than zero');

/**
 * How a schema family reads durations: the catalog's (text, bare numbers in seconds) or a run
 * input's (milliseconds). `orDefault` takes milliseconds either way.
 */
export interface DurationReader<Required extends z.ZodType<number>, WithDefault extends z.ZodType<number>, Optional extends z.ZodType<number | undefined>> {
  required(): Required;
  orDefault(defaultMs: number): WithDefault;
  optional(): Optional;
}

export const catalogDurations = {
  required: () => positiveDuration,
  orDefault: (defaultMs: number) => positiveDuration.prefault(`${defaultMs}ms`),
  optional: () => positiveDuration.optional(),
};

export const runDurations = {
  required: () => milliseconds,
  orDefault: (defaultMs: number) => milliseconds.default(defaultMs),
  optional: () => milliseconds.optional(),
};
