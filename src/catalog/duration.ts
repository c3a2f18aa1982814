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
