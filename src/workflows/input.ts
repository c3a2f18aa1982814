import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { problemsFromZod } from '../validation/validation-error';

/**
 * Validates a workflow's input at its entry. A bad input fails the run at once, before any
 * activity is scheduled, with every problem and its path — never a retry loop.
 */
export function parseWorkflowInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = problemsFromZod(result.error);
  throw ApplicationFailure.create({
    type: 'InvalidInput',
    message: `invalid input: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    nonRetryable: true,
    details: problems,
  });
}
