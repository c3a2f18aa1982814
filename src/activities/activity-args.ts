import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { problemsFromZod } from '../validation/validation-error';

/**
 * An activity's `args` checked against its schema. Wrong args are a catalog mistake no retry
 * can fix: a non-retryable `InvalidInput` naming each field under `args.`.
 */
export function parseActivityArgs<S extends z.ZodType>(activity: string, schema: S, args: unknown): z.output<S> {
  const result = schema.safeParse(args ?? {});
  if (result.success) return result.data;
  const problems = problemsFromZod(result.error, ['args']).map((problem) => `${problem.path}: ${problem.message}`);
  throw ApplicationFailure.create({
    type: 'InvalidInput',
    message: `${activity}: invalid args — ${problems.join('; ')}`,
    nonRetryable: true,
  });
}
